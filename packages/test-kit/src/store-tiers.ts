import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { PG_URL, dropSchema, postgresProblem, schemaRows, uniqueSchema } from './postgres';

export interface TierInstance {
  stores: Stores;
  /** Another `Stores` on the same data, as another process would open it (memory: the same one); closed by cleanup. */
  reopen(): Promise<Stores>;
  /** Everything the tier has written, as raw bytes (SQLite file, WAL and shm; every Postgres row as text); absent on memory, which writes no bytes. */
  rawContents?(): Promise<Buffer>;
  /** Closes every store it opened and removes what the tier created (temp folder, schema). */
  cleanup(): Promise<void>;
}

export interface StoreTierFactory {
  name: string;
  /** Null when the tier can run here; otherwise why it is skipped. */
  unavailable: string | null;
  /** A fresh, migrated instance: its own SQLite file or Postgres schema. */
  create(): Promise<TierInstance>;
}

/** How to open the durable tiers; passed in, so store packages can use the kit without depending on each other. */
export interface TierOpeners {
  sqlite(options: { path: string }): Stores;
  postgres(options: { connectionString: string; schema: string; max?: number }): Stores;
}

export interface StoreTiersOptions {
  pgUrl?: string;
  /** Names the test files in schema names, temp folders and skip notices. */
  label?: string;
}

/** Opens stores through `open`, migrated, remembering each for cleanup. */
function opener(open: () => Stores) {
  const opened: Stores[] = [];
  return {
    async open(): Promise<Stores> {
      const stores = open();
      opened.push(stores);
      await stores.migrate();
      return stores;
    },
    async closeAll(): Promise<void> {
      for (const stores of opened) await stores.close().catch(() => undefined);
    },
  };
}

/**
 * The three durability tiers as factories, for running one suite on each: memory, a fresh SQLite
 * file per instance, a fresh Postgres schema per instance (dropped on cleanup). Postgres reads
 * INTEGRATION_PG_URL; unreachable, it is unavailable with a printed notice (under CI=true, it throws).
 */
export async function storeTiers(openers: TierOpeners, options: StoreTiersOptions = {}): Promise<StoreTierFactory[]> {
  const pgUrl = options.pgUrl ?? PG_URL;
  const label = options.label ?? 'tier';
  const pgProblem = await postgresProblem(label, pgUrl);
  return [
    {
      name: 'memory',
      unavailable: null,
      async create() {
        const stores = memoryStores();
        return { stores, reopen: async () => stores, cleanup: () => stores.close() };
      },
    },
    {
      name: 'sqlite',
      unavailable: null,
      async create() {
        const dir = await mkdtemp(join(tmpdir(), `integration-${label}-`));
        const path = join(dir, 'state.db');
        const files = opener(() => openers.sqlite({ path }));
        return {
          stores: await files.open(),
          reopen: () => files.open(),
          async rawContents() {
            return Buffer.concat(await Promise.all(['', '-wal', '-shm'].map((suffix) => readFile(path + suffix).catch(() => Buffer.alloc(0)))));
          },
          async cleanup() {
            await files.closeAll();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      unavailable: pgProblem,
      async create() {
        const schema = uniqueSchema(label.replace(/[^a-z0-9_]/gi, '_'));
        const schemas = opener(() => openers.postgres({ connectionString: pgUrl, schema, max: 4 }));
        return {
          stores: await schemas.open(),
          reopen: () => schemas.open(),
          rawContents: async () => Buffer.from((await schemaRows(schema, pgUrl)).join('\n'), 'utf8'),
          async cleanup() {
            await schemas.closeAll();
            await dropSchema(schema, pgUrl);
          },
        };
      },
    },
  ];
}
