import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { sqliteStores } from '@integration/store-local';
import { postgresStores } from '@integration/store-postgres';

export const pgUrl = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One tier instance; `second()` opens another Stores on the same data (like another process). */
export interface TierInstance {
  stores: Stores;
  second(): Promise<Stores>;
  raw(): Promise<string>;
  cleanup(): Promise<void>;
}

export interface Tier {
  name: 'memory' | 'sqlite' | 'postgres';
  unavailable: string | null;
  create(): Promise<TierInstance>;
}

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2_000 });
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
  if (problem && process.env.CI === 'true') throw new Error(`INTEGRATION_PG_URL (${pgUrl}) is unreachable under CI=true: ${problem}`);
  if (problem) console.warn(`[auth tiers] Postgres tier skipped: ${pgUrl} is unreachable (${problem})`);
  return problem;
}

export async function tiers(): Promise<Tier[]> {
  const problem = await postgresProblem();
  return [
    {
      name: 'memory',
      unavailable: null,
      async create() {
        const stores = memoryStores();
        return { stores, second: async () => stores, raw: async () => '', cleanup: () => stores.close() };
      },
    },
    {
      name: 'sqlite',
      unavailable: null,
      async create() {
        const dir = await mkdtemp(join(tmpdir(), 'auth-tier-'));
        const path = join(dir, 'state.db');
        const stores = sqliteStores({ path });
        await stores.migrate();
        const others: Stores[] = [];
        return {
          stores,
          async second() {
            const other = sqliteStores({ path });
            others.push(other);
            return other;
          },
          async raw() {
            const parts = await Promise.all(['', '-wal'].map((s) => readFile(path + s).catch(() => Buffer.alloc(0))));
            return Buffer.concat(parts).toString('latin1');
          },
          async cleanup() {
            for (const other of others) await other.close();
            await stores.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      unavailable: problem,
      async create() {
        const schema = `t_auth_${process.pid}_${randomBytes(4).toString('hex')}`;
        const stores = postgresStores({ connectionString: pgUrl, schema, max: 4 });
        await stores.migrate();
        const others: Stores[] = [];
        const admin = async <T>(fn: (client: pg.Client) => Promise<T>) => {
          const client = new pg.Client({ connectionString: pgUrl });
          await client.connect();
          try {
            return await fn(client);
          } finally {
            await client.end();
          }
        };
        return {
          stores,
          async second() {
            const other = postgresStores({ connectionString: pgUrl, schema, max: 4 });
            others.push(other);
            return other;
          },
          raw: () =>
            admin(async (client) => {
              const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
              const rows: string[] = [];
              for (const { table_name } of tables.rows) {
                const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
                rows.push(...result.rows.map((r) => r.row));
              }
              return rows.join('\n');
            }),
          async cleanup() {
            for (const other of others) await other.close();
            await stores.close();
            await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
          },
        };
      },
    },
  ];
}
