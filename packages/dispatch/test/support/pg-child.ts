/** Helpers for scenario child processes (run under tsx, where pg loads normally). */
import pg from 'pg';
import { postgresStores } from '@integration/store-postgres';
import type { Stores } from '@integration/contracts';

export const PG_URL = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgReachable(url = PG_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  client.on('error', () => {});
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

export async function openStores(schema: string, connectionString = PG_URL, extra: Record<string, unknown> = {}): Promise<Stores> {
  const stores = postgresStores({ connectionString, schema, ...extra } as Parameters<typeof postgresStores>[0]);
  await stores.migrate();
  return stores;
}

export async function dropSchema(schema: string, url = PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** Reports the scenario result to the parent and exits. */
export function report(result: unknown, code = 0): void {
  process.send?.(result, () => process.exit(code));
}
