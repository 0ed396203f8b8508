/** Helpers for scenario child processes (run under tsx). */
import { postgresStores } from '@integration/store-postgres';
import type { Stores } from '@integration/contracts';
import { PG_URL, postgresProblem } from '@integration/test-kit';

export { PG_URL, dropSchema } from '@integration/test-kit';

export async function pgReachable(url = PG_URL): Promise<boolean> {
  return (await postgresProblem('scenario', url)) === null;
}

export async function openStores(schema: string, connectionString = PG_URL, extra: Record<string, unknown> = {}): Promise<Stores> {
  const stores = postgresStores({ connectionString, schema, ...extra } as Parameters<typeof postgresStores>[0]);
  await stores.migrate();
  return stores;
}

/** Reports the scenario result to the parent and exits. */
export function report(result: unknown, code = 0): void {
  process.send?.(result, () => process.exit(code));
}
