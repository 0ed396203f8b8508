import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Stores } from '@integration/contracts';
import { PG_URL as pgUrl, postgresProblem, uniqueSchema } from '@integration/test-kit';
import { postgresStores } from '../src';

export { PG_URL as pgUrl } from '@integration/test-kit';

/** null when reachable, else why not. Under CI=true an unreachable server fails the run. */
export const pgProblem = (): Promise<string | null> => postgresProblem('store-postgres');

/** A unique schema name for this test run; drop it with `dropSchema`. */
export const freshSchema = uniqueSchema;

export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

export async function dropSchema(admin: pg.Pool, schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * Stores in fresh schemas for one test file: `open(label, options)` makes a schema and opens
 * `postgresStores` on it, `connect(schema, options)` opens another instance on an existing one;
 * after the file every store is closed and every schema dropped.
 */
export function schemaSandbox() {
  const admin = adminPool();
  const schemas: string[] = [];
  const opened: Stores[] = [];
  afterAll(async () => {
    for (const stores of opened) await stores.close().catch(() => undefined);
    for (const schema of schemas) await dropSchema(admin, schema);
    await admin.end();
  });
  type Extra = Partial<Parameters<typeof postgresStores>[0]>;
  function connect(schema: string, extra: Extra = {}): Stores {
    const stores = postgresStores({ connectionString: pgUrl, schema, ...extra });
    opened.push(stores);
    return stores;
  }
  function open(label: string, extra: Extra = {}): { stores: Stores; schema: string } {
    const schema = freshSchema(label);
    schemas.push(schema);
    return { stores: connect(schema, extra), schema };
  }
  return { admin, open, connect };
}

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export function spawnTs(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function waitForLines(child: ChildProcess, pattern: RegExp, count: number, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} × ${pattern} (saw ${seen}); stderr: ${stderr}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      seen += lines.filter((l) => pattern.test(l)).length;
      if (seen >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      if (seen < count) {
        clearTimeout(timer);
        reject(new Error(`child exited (${code}) after ${seen} lines; stderr: ${stderr}`));
      }
    });
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Terminates every backend opened with this application_name (simulates a lost connection). */
export async function terminate(admin: pg.Pool, applicationName: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT COUNT(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
    [applicationName],
  );
  return Number(rows[0]?.n ?? 0);
}
