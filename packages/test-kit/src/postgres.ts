import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server Postgres-tier tests use: `INTEGRATION_PG_URL`, else the local default. */
export const PG_URL = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Why Postgres at `url` cannot be used here, or null. Unreachable, it prints a notice naming
 * `who` skips it; under CI=true it throws instead, so CI never skips the tier silently.
 */
export async function postgresProblem(who: string, url: string = PG_URL): Promise<string | null> {
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
  if (problem) console.warn(`[${who}] Postgres skipped: ${url} is unreachable (${problem})`);
  return problem;
}

const runTag = `${process.pid}_${randomBytes(3).toString('hex')}`;
let schemas = 0;
/** A schema name no other test (in this run or a parallel one) uses. */
export const uniqueSchema = (label: string): string => `t_${label}_${runTag}_${(schemas += 1)}`;

/** Runs `fn` on a short-lived admin connection. */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>, url: string = PG_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchema(schema: string, url: string = PG_URL): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`), url);
}

/** Every row of every table in `schema`, as Postgres prints it (for byte-level secret scans). */
export function schemaRows(schema: string, url: string = PG_URL): Promise<string[]> {
  return withAdmin(async (client) => {
    const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    const rows: string[] = [];
    for (const { table_name } of tables.rows) {
      const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
      rows.push(...result.rows.map((r) => r.row));
    }
    return rows;
  }, url);
}
