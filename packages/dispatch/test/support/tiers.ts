/** The store tiers tests run on: memory always; SQLite and Postgres once their packages export them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';

export const PG_URL = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TierHandle {
  stores: Stores;
  /** Opens another Stores on the same data (another "process" view); closed by cleanup. */
  reopen?: () => Promise<Stores>;
  cleanup(): Promise<void>;
  /** Postgres only. */
  schema?: string;
  path?: string;
}

export interface Tier {
  name: 'memory' | 'sqlite' | 'postgres';
  create(): Promise<TierHandle>;
}

type SqliteFactory = (o: { path: string }) => Stores;
type PostgresFactory = (o: { connectionString: string; schema: string }) => Stores;

async function importFactory<T>(specifier: string, name: string): Promise<T | null> {
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    return typeof mod[name] === 'function' ? (mod[name] as T) : null;
  } catch {
    return null;
  }
}

type PgModule = typeof import('pg');
let pgModule: PgModule | null = null;
/** Loads pg lazily, so the memory and SQLite tiers run even where pg cannot load. */
export async function loadPg(): Promise<PgModule> {
  if (!pgModule) {
    const mod = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
    pgModule = mod.default ?? mod;
  }
  return pgModule;
}

export async function postgresReachable(url = PG_URL): Promise<boolean> {
  let pg: PgModule;
  try {
    pg = await loadPg();
  } catch (error) {
    console.warn(`[tiers] pg cannot be loaded here (${(error as Error).message})`);
    return false;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchema(schema: string, url = PG_URL): Promise<void> {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export const uniqueSchema = (label: string) => `t_${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export const memoryTier: Tier = {
  name: 'memory',
  async create() {
    const stores = memoryStores();
    return { stores, cleanup: () => stores.close() };
  },
};

export async function sqliteTier(): Promise<Tier | null> {
  const sqliteStores = await importFactory<SqliteFactory>('@integration/store-local', 'sqliteStores');
  if (!sqliteStores) {
    console.warn('[tiers] @integration/store-local has no sqliteStores yet: SQLite tier skipped');
    return null;
  }
  return {
    name: 'sqlite',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'async-path-'));
      const path = join(dir, 'state.db');
      const opened: Stores[] = [];
      const open = async () => {
        const s = sqliteStores({ path });
        await s.migrate();
        opened.push(s);
        return s;
      };
      const stores = await open();
      return {
        stores,
        path,
        reopen: open,
        async cleanup() {
          for (const s of opened) await s.close().catch(() => {});
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/**
 * pg (CommonJS) cannot load in a process started with `--conditions import`: its require of
 * pg-pool then yields the ESM namespace. vitest passes the resolve conditions to its workers, so
 * in-process Postgres tests are skipped there (child processes started with tsx are unaffected).
 */
export function pgLoadableHere(): boolean {
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--conditions=import' || arg === '-C=import') return false;
    if ((arg === '--conditions' || arg === '-C') && argv[i + 1] === 'import') return false;
  }
  return true;
}

export async function postgresTier(label = 'async'): Promise<Tier | null> {
  if (!pgLoadableHere()) {
    console.warn('[tiers] this test process runs with `--conditions import`, under which pg cannot load: in-process Postgres tier skipped');
    return null;
  }
  const postgresStores = await importFactory<PostgresFactory>('@integration/store-postgres', 'postgresStores');
  if (!postgresStores) {
    console.warn('[tiers] @integration/store-postgres has no postgresStores yet: Postgres tier skipped');
    return null;
  }
  if (!(await postgresReachable())) {
    if (process.env.CI === 'true') throw new Error(`Postgres is unreachable at ${PG_URL} (CI=true: failing instead of skipping)`);
    console.warn(`[tiers] Postgres unreachable at ${PG_URL}: Postgres tier skipped`);
    return null;
  }
  return {
    name: 'postgres',
    async create() {
      const schema = uniqueSchema(label);
      const opened: Stores[] = [];
      const open = async () => {
        const s = postgresStores({ connectionString: PG_URL, schema });
        await s.migrate();
        opened.push(s);
        return s;
      };
      const stores = await open();
      return {
        stores,
        schema,
        reopen: open,
        async cleanup() {
          for (const s of opened) await s.close().catch(() => {});
          await dropSchema(schema);
        },
      };
    },
  };
}

export async function availableTiers(label?: string): Promise<Tier[]> {
  return [memoryTier, await sqliteTier(), await postgresTier(label)].filter((t): t is Tier => t !== null);
}
