/**
 * `pnpm pg:preflight`: is the Postgres test database reachable and migratable?
 * Connects to INTEGRATION_PG_URL (default postgres://postgres@127.0.0.1:5432/test), applies every
 * store migration into a temporary schema, drops it, and exits 0 (ready) or 1 (not ready).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type PgModule from 'pg';
import { postgresStores } from '@integration/platform';

const pg = createRequire(new URL('../packages/store-postgres/package.json', import.meta.url))('pg') as typeof PgModule;
const url = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redacted = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function main(): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
    console.log(`ok   reachable: ${redacted} (PostgreSQL ${rows[0]?.version})`);
  } catch (error) {
    console.log(`FAIL unreachable: ${redacted}: ${(error as Error).message}`);
    console.log('     start Postgres or set INTEGRATION_PG_URL; Postgres tests skip locally and fail under CI=true');
    await client.end().catch(() => undefined);
    return 1;
  }
  const schema = `preflight_${process.pid}_${randomBytes(3).toString('hex')}`;
  const stores = postgresStores({ connectionString: url, schema, max: 2, connectionTimeoutMs: 3_000 });
  let status = 0;
  try {
    const started = Date.now();
    await stores.migrate();
    const { rows } = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM "${schema}".schema_migrations`);
    console.log(`ok   migratable: applied ${rows[0]?.n} migration(s) into temporary schema ${schema} in ${Date.now() - started} ms`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    console.log(`FAIL not migratable${code ? ` (${code})` : ''}: ${(error as Error).message}`);
    status = 1;
  } finally {
    await stores.close();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      console.log(`ok   dropped temporary schema ${schema}`);
    } catch (error) {
      console.log(`FAIL could not drop ${schema}: ${(error as Error).message}`);
      status = 1;
    }
    await client.end().catch(() => undefined);
  }
  return status;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
