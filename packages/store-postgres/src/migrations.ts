import type { PoolClient } from 'pg';
import { integrationError, isIntegrationError } from '@integration/contracts';
import { advisoryKey } from './lock-key';
import { toStoreError, isConnectionError } from './errors';

export interface PgMigration {
  version: number;
  name: string;
  /** DDL with `{{schema}}` standing for the quoted schema name. */
  sql: string;
}

/**
 * Versioned schema. Text columns use the "C" collation so ORDER BY matches JavaScript string order
 * (the memory tier's). `record` holds the whole zod-typed record as `json` (exact text). No foreign
 * keys: the stores accept the same writes in the same order as the memory tier.
 */
export const pgMigrations: PgMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE {{schema}}.runs (
        run_id text COLLATE "C" PRIMARY KEY,
        ord bigserial NOT NULL,
        capability_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        tenant_id text COLLATE "C",
        idempotency_key text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE INDEX runs_created_idx ON {{schema}}.runs (created_at, run_id);
      CREATE UNIQUE INDEX runs_idempotency_idx ON {{schema}}.runs (capability_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

      CREATE TABLE {{schema}}.attempts (
        attempt_id text COLLATE "C" PRIMARY KEY,
        run_id text COLLATE "C" NOT NULL,
        attempt integer NOT NULL,
        record json NOT NULL
      );
      CREATE INDEX attempts_run_idx ON {{schema}}.attempts (run_id, attempt);

      CREATE TABLE {{schema}}.events (
        ord bigserial PRIMARY KEY,
        run_id text COLLATE "C" NOT NULL,
        attempt_key text COLLATE "C" NOT NULL,
        attempt_id text COLLATE "C",
        attempt integer,
        seq integer NOT NULL,
        record json NOT NULL,
        CONSTRAINT events_position_key UNIQUE (run_id, attempt_key, seq)
      );

      CREATE TABLE {{schema}}.artifacts (
        artifact_id text COLLATE "C" PRIMARY KEY,
        ord bigserial NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE INDEX artifacts_run_idx ON {{schema}}.artifacts (run_id, ord);

      CREATE TABLE {{schema}}.targets (
        target_id text COLLATE "C" PRIMARY KEY,
        record json NOT NULL
      );

      CREATE TABLE {{schema}}.installs (
        install_id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        connection_id text COLLATE "C" NOT NULL,
        state text COLLATE "C" NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE TABLE {{schema}}.connections (
        connection_id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        state text COLLATE "C" NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE TABLE {{schema}}.credentials (
        credential_id text COLLATE "C" PRIMARY KEY,
        connection_id text COLLATE "C" NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE TABLE {{schema}}.leases (
        lease_id text COLLATE "C" PRIMARY KEY,
        ord bigserial NOT NULL,
        connection_id text COLLATE "C" NOT NULL,
        revoked_at text COLLATE "C",
        record json NOT NULL
      );
      CREATE INDEX leases_connection_idx ON {{schema}}.leases (connection_id) WHERE revoked_at IS NULL;

      CREATE TABLE {{schema}}.dedupe_keys (
        tenant_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        trigger_id text COLLATE "C" NOT NULL,
        dedupe_key text COLLATE "C" NOT NULL,
        expires_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant_id, connector_id, trigger_id, dedupe_key)
      );
      CREATE INDEX dedupe_keys_expires_idx ON {{schema}}.dedupe_keys (expires_at);
      CREATE TABLE {{schema}}.triggers (
        admission_id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        trigger_id text COLLATE "C" NOT NULL,
        dedupe_key text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        run_id text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE INDEX triggers_scope_idx ON {{schema}}.triggers (tenant_id, connector_id, trigger_id, dedupe_key);
      CREATE INDEX triggers_run_idx ON {{schema}}.triggers (run_id);
      CREATE INDEX triggers_created_idx ON {{schema}}.triggers (created_at, admission_id);
      CREATE TABLE {{schema}}.checkpoints (
        tenant_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        trigger_id text COLLATE "C" NOT NULL,
        partition_key text COLLATE "C" NOT NULL,
        revision integer NOT NULL,
        record json NOT NULL,
        PRIMARY KEY (tenant_id, connector_id, trigger_id, partition_key)
      );

      CREATE TABLE {{schema}}.dispatch_jobs (
        dispatch_id text COLLATE "C" PRIMARY KEY,
        status text COLLATE "C" NOT NULL,
        available_at text COLLATE "C" NOT NULL,
        locked_until text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        connector_id text COLLATE "C" NOT NULL,
        trigger_id text COLLATE "C" NOT NULL,
        record json NOT NULL
      );
      CREATE INDEX dispatch_jobs_due_idx ON {{schema}}.dispatch_jobs (status, available_at);
      CREATE INDEX dispatch_jobs_created_idx ON {{schema}}.dispatch_jobs (created_at, dispatch_id);

      CREATE TABLE {{schema}}.routes (
        route_id text COLLATE "C" PRIMARY KEY,
        connector_id text COLLATE "C" NOT NULL,
        revision integer NOT NULL,
        record json NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'dispatch claim indexes',
    // The claim reads due jobs in claim order straight off a partial index (was: every queued row
    // gathered and sorted on each claim, ~1 ms per 1,000 queued jobs). Rows leave the partial
    // indexes when their status moves on, so a completed job costs no entry; (status, available_at)
    // took one on every state change and is replaced by them.
    sql: `
      CREATE INDEX dispatch_jobs_claim_idx ON {{schema}}.dispatch_jobs (available_at, created_at, dispatch_id)
        WHERE status IN ('queued', 'retry_scheduled');
      CREATE INDEX dispatch_jobs_lease_idx ON {{schema}}.dispatch_jobs (locked_until) WHERE status = 'running';
      CREATE INDEX dispatch_jobs_dead_idx ON {{schema}}.dispatch_jobs (available_at, created_at, dispatch_id) WHERE status = 'dead_lettered';
      DROP INDEX {{schema}}.dispatch_jobs_due_idx;
    `,
  },
  {
    version: 3,
    name: 'sealed run inputs',
    // Key rotation pages through runs whose exact input is sealed; only those few are indexed. A
    // run is sealed or not from its insert on, so the flag is written once and never updated.
    sql: `
      ALTER TABLE {{schema}}.runs ADD COLUMN has_sealed_input boolean NOT NULL DEFAULT false;
      CREATE INDEX runs_sealed_input_idx ON {{schema}}.runs (run_id) WHERE has_sealed_input;
    `,
  },
];

/**
 * Creates the schema if missing and applies pending migrations, each in its own transaction, under
 * a session advisory lock on the schema name: concurrent starters queue, and each migration runs
 * exactly once.
 */
export async function applyPgMigrations(client: PoolClient, schema: string, list: PgMigration[] = pgMigrations): Promise<number[]> {
  const quoted = `"${schema}"`;
  const key = advisoryKey(`integration.migrate:${schema}`);
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  } catch (error) {
    throw toStoreError(error);
  }
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...list.map((m) => m.version));
    if (newest > known) {
      throw integrationError('migration_failed', `schema ${schema} is at version ${newest}, newer than this package knows (${known})`, {
        retryable: false,
        details: { schema, databaseVersion: newest, knownVersion: known },
      });
    }
    const done: number[] = [];
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql.replaceAll('{{schema}}', quoted));
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      done.push(migration.version);
    }
    return done;
  } catch (error) {
    if (isIntegrationError(error)) throw error;
    if (isConnectionError(error)) throw toStoreError(error);
    throw integrationError('migration_failed', `postgres migration of schema ${schema} failed: ${error instanceof Error ? error.message : String(error)}`, {
      retryable: false,
      cause: error,
      details: { schema },
    });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
  }
}
