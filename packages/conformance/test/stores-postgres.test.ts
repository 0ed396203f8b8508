import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Stores } from '@integration/contracts';
import { postgresStores } from '@integration/store-postgres';
import { PG_URL, postgresProblem } from '@integration/test-kit';
import { registerStoreBattery } from '../src/stores';

const url = PG_URL;
const problem = await postgresProblem('stores-postgres battery', url);

const run = `battery_${process.pid}_${randomBytes(3).toString('hex')}`;
const schemas = new WeakMap<Stores, string>();
const created = new Set<string>();
let counter = 0;
let admin: pg.Pool;

const open = (schema: string) => {
  const stores = postgresStores({ connectionString: url, schema, max: 4 });
  schemas.set(stores, schema);
  return stores;
};

if (!problem) {
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: url, max: 2 });
    admin.on('error', () => undefined);
  });
  afterAll(async () => {
    for (const schema of created) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  registerStoreBattery(
    { describe, it },
    {
      name: 'postgres',
      create: async () => {
        const schema = `${run}_${(counter += 1)}`;
        created.add(schema);
        const stores = open(schema);
        await stores.migrate();
        return stores;
      },
      dispose: async (stores) => {
        await stores.close();
        const schema = schemas.get(stores)!;
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        created.delete(schema);
      },
      reopen: async (stores) => {
        await stores.close();
        return open(schemas.get(stores)!);
      },
      connect: async (stores) => open(schemas.get(stores)!),
      rawStorage: async (stores) => {
        const schema = schemas.get(stores)!;
        const { rows: tables } = await admin.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
          [schema],
        );
        const parts: string[] = [];
        for (const { table_name } of tables) {
          const { rows } = await admin.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
          parts.push(`-- ${table_name}`, ...rows.map((r) => r.row));
        }
        return parts.join('\n');
      },
    },
  );
} else {
  describe('store battery: postgres', () => {
    it.skip(`skipped: ${url} unreachable`, () => undefined);
  });
}
