import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { sqliteStores } from '@integration/store-local';
import { postgresStores } from '@integration/store-postgres';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TierInstance {
  stores: Stores;
  /** Everything the tier has written, as raw bytes (SQLite file + WAL; every Postgres row as text). */
  rawContents?(): Promise<Buffer>;
  /** Closes the stores and removes what the tier created (temp file, schema). */
  cleanup(): Promise<void>;
}

export interface StoreTierFactory {
  name: string;
  /** Null when the tier can run here; otherwise why it is skipped. */
  unavailable: string | null;
  create(): Promise<TierInstance>;
}

/** Why Postgres at `url` cannot be used, or null. Under CI=true an unreachable server throws. */
export async function postgresProblem(url: string = process.env.INTEGRATION_PG_URL ?? DEFAULT_PG_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  let problem: string | null = null;
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
  if (problem && process.env.CI === 'true') throw new Error(`INTEGRATION_PG_URL (${url}) is unreachable under CI=true: ${problem}`);
  if (problem) console.warn(`[store tiers] Postgres tier skipped: ${url} is unreachable (${problem})`);
  return problem;
}

/**
 * The three durability tiers as factories, for running one test suite on each: memory, a fresh
 * SQLite file per instance, and a fresh Postgres schema per instance (dropped on cleanup). The
 * Postgres tier reads INTEGRATION_PG_URL; unreachable, it is marked unavailable with a printed
 * notice (and under CI=true, it throws).
 */
export async function storeTiers(options: { pgUrl?: string } = {}): Promise<StoreTierFactory[]> {
  const pgUrl = options.pgUrl ?? process.env.INTEGRATION_PG_URL ?? DEFAULT_PG_URL;
  const pgProblem = await postgresProblem(pgUrl);
  return [
    {
      name: 'memory',
      unavailable: null,
      async create() {
        const stores = memoryStores();
        return { stores, cleanup: () => stores.close() };
      },
    },
    {
      name: 'sqlite',
      unavailable: null,
      async create() {
        const dir = await mkdtemp(join(tmpdir(), 'integration-tier-'));
        const path = join(dir, 'state.db');
        const stores = sqliteStores({ path });
        return {
          stores,
          async rawContents() {
            const parts = await Promise.all(['', '-wal', '-shm'].map((suffix) => readFile(path + suffix).catch(() => Buffer.alloc(0))));
            return Buffer.concat(parts);
          },
          async cleanup() {
            await stores.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      unavailable: pgProblem,
      async create() {
        const schema = `t_tier_${process.pid}_${randomBytes(4).toString('hex')}`;
        const stores = postgresStores({ connectionString: pgUrl, schema, max: 4 });
        await stores.migrate();
        return {
          stores,
          async rawContents() {
            const admin = new pg.Client({ connectionString: pgUrl });
            await admin.connect();
            try {
              const tables = await admin.query<{ table_name: string }>(
                'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
                [schema],
              );
              const dumps: string[] = [];
              for (const { table_name } of tables.rows) {
                const rows = await admin.query(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
                dumps.push(...rows.rows.map((r: { row: string }) => r.row));
              }
              return Buffer.from(dumps.join('\n'), 'utf8');
            } finally {
              await admin.end();
            }
          },
          async cleanup() {
            await stores.close();
            const admin = new pg.Client({ connectionString: pgUrl });
            await admin.connect();
            try {
              await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
            } finally {
              await admin.end();
            }
          },
        };
      },
    },
  ];
}
