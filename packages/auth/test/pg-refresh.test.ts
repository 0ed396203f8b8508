import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL as pgUrl, postgresProblem } from '@integration/test-kit';
import { startOAuthServer, type OAuthTestServer } from './support/oauth-server';

/**
 * Refresh single-flight across processes: two worker processes, each with its own auth service
 * and pool on one Postgres schema, request leases on an expired OAuth credential at the same
 * moment. The store's advisory lock must let exactly one refresh_token grant reach the provider.
 */
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const worker = fileURLToPath(new URL('./fixtures/pg-refresh-worker.ts', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', worker, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`worker ${args[0]} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

const available = (await postgresProblem('auth pg-refresh')) === null;
let server: OAuthTestServer;
const schema = `t_auth_refresh_${process.pid}_${randomBytes(3).toString('hex')}`;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startOAuthServer({ tokenPrefix: 'pgx' });
  env = {
    PG_URL: pgUrl,
    OAUTH_BASE: server.url,
    CLIENT_ID: server.clientId,
    CLIENT_SECRET: server.clientSecret,
    SEALING_KEY: randomBytes(32).toString('base64'),
  };
});
afterAll(async () => {
  if (available) await run(['teardown', schema], env).catch(() => undefined);
  await server.close();
});

describe.skipIf(!available)('refresh single-flight on Postgres, across processes', () => {
  it('two processes × 10 concurrent leases on an expired credential → one refresh grant', async () => {
    const setup = JSON.parse(await run(['setup', schema], env)) as { connectionId: string; tokenExpiresAt: string };
    const afterExpiry = String(Date.parse(setup.tokenExpiresAt) + 60_000);
    const startAt = String(Date.now() + 2_500);
    const before = server.grants.refresh_token ?? 0;
    const outputs = await Promise.all([
      run(['lease', schema, setup.connectionId, '10', afterExpiry, startAt], env),
      run(['lease', schema, setup.connectionId, '10', afterExpiry, startAt], env),
    ]);
    const tokens = outputs.flatMap((line) => (JSON.parse(line) as { tokens: string[] }).tokens);
    expect(tokens).toHaveLength(20);
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^pgx-access-/);
  }, 120_000);
});
