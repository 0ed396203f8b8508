import type Database from 'better-sqlite3';
import { integrationError, isIntegrationError } from '@integration/contracts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Versioned schema. Every table keeps the columns the stores query on (snake_case) plus `record`,
 * the whole zod-typed record as JSON text. Append new migrations; never edit a shipped one.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        capability_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        status TEXT NOT NULL,
        tenant_id TEXT,
        idempotency_key TEXT,
        created_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX runs_created_idx ON runs (created_at, run_id);
      CREATE UNIQUE INDEX runs_idempotency_idx ON runs (capability_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

      CREATE TABLE attempts (
        attempt_id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX attempts_run_idx ON attempts (run_id, attempt);

      CREATE TABLE events (
        ord INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        attempt_key TEXT NOT NULL,
        attempt_id TEXT,
        attempt INTEGER,
        seq INTEGER NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (run_id, attempt_key, seq)
      );

      CREATE TABLE artifacts (
        artifact_id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX artifacts_run_idx ON artifacts (run_id);

      CREATE TABLE targets (
        target_id TEXT PRIMARY KEY,
        record TEXT NOT NULL
      );

      CREATE TABLE installs (
        install_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE TABLE connections (
        connection_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE TABLE credentials (
        credential_id TEXT PRIMARY KEY,
        connection_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE TABLE leases (
        lease_id TEXT PRIMARY KEY,
        connection_id TEXT NOT NULL,
        revoked_at TEXT,
        record TEXT NOT NULL
      );
      CREATE INDEX leases_connection_idx ON leases (connection_id);
      CREATE TABLE auth_locks (
        lock_key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
      );

      CREATE TABLE dedupe_keys (
        tenant_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, connector_id, trigger_id, dedupe_key)
      );
      CREATE INDEX dedupe_keys_expires_idx ON dedupe_keys (expires_at);
      CREATE TABLE triggers (
        admission_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        status TEXT NOT NULL,
        run_id TEXT,
        created_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX triggers_scope_idx ON triggers (tenant_id, connector_id, trigger_id, dedupe_key);
      CREATE INDEX triggers_run_idx ON triggers (run_id);
      CREATE TABLE checkpoints (
        tenant_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        partition_key TEXT NOT NULL,
        revision INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (tenant_id, connector_id, trigger_id, partition_key)
      );

      CREATE TABLE dispatch_jobs (
        dispatch_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        available_at TEXT NOT NULL,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        run_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX dispatch_jobs_due_idx ON dispatch_jobs (status, available_at);
      CREATE INDEX dispatch_jobs_created_idx ON dispatch_jobs (created_at, dispatch_id);
      CREATE TABLE work_signal (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
      );
      INSERT INTO work_signal (id, version) VALUES (1, 0);

      CREATE TABLE routes (
        route_id TEXT PRIMARY KEY,
        connector_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        record TEXT NOT NULL
      );
    `,
  },
  {
    // Every commit writes each b-tree it touches as whole WAL pages (fsynced under FULL), so the
    // write path loses the b-trees it did not need. See README "Write path".
    version: 2,
    name: 'fewer-pages-per-write',
    sql: `
      -- listJobs sorts in code; nothing reads this order from the index.
      DROP INDEX dispatch_jobs_created_idx;

      -- AUTOINCREMENT updated sqlite_sequence on every event insert (one more page per commit).
      -- Events are never deleted, so the plain rowid keeps the same insertion order.
      CREATE TABLE events_v2 (
        ord INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        attempt_key TEXT NOT NULL,
        attempt_id TEXT,
        attempt INTEGER,
        seq INTEGER NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (run_id, attempt_key, seq)
      );
      INSERT INTO events_v2 (ord, run_id, attempt_key, attempt_id, attempt, seq, record)
        SELECT ord, run_id, attempt_key, attempt_id, attempt, seq, record FROM events;
      DROP TABLE events;
      ALTER TABLE events_v2 RENAME TO events;
      DELETE FROM sqlite_sequence WHERE name = 'events';

      -- Small rows looked up by their key: stored in the key's b-tree (no separate rowid table).
      CREATE TABLE dedupe_keys_v2 (
        tenant_id TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, connector_id, trigger_id, dedupe_key)
      ) WITHOUT ROWID;
      INSERT INTO dedupe_keys_v2 SELECT tenant_id, connector_id, trigger_id, dedupe_key, expires_at FROM dedupe_keys;
      DROP TABLE dedupe_keys;
      ALTER TABLE dedupe_keys_v2 RENAME TO dedupe_keys;
      CREATE INDEX dedupe_keys_expires_idx ON dedupe_keys (expires_at);

      -- 1: the stored signal's data is a placeholder for the trigger's payload (stored once).
      ALTER TABLE triggers ADD COLUMN signal_data_is_payload INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // Key rotation pages through runs whose exact input is sealed; the few that hold one are indexed
    // (a partial index: a run without one writes no index page). A run is sealed or not from its
    // insert on, so the flag is written once and never updated.
    version: 3,
    name: 'sealed-run-inputs',
    sql: `
      ALTER TABLE runs ADD COLUMN has_sealed_input INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX runs_sealed_input_idx ON runs (run_id) WHERE has_sealed_input = 1;
    `,
  },
];

/** True when every known migration is recorded and none newer is (a read, no write lock). */
function upToDate(db: Database.Database, list: Migration[]): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return false;
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  return applied.size === list.length && list.every((m) => applied.has(m.version));
}

/**
 * Applies pending migrations inside one IMMEDIATE transaction, so two processes opening the same
 * file at once apply each migration exactly once (the second waits, then finds nothing to do).
 */
export function applyMigrations(db: Database.Database, list: Migration[] = migrations): number[] {
  // An up-to-date file needs no write lock: opening it must not wait behind busy writers.
  if (upToDate(db, list)) return [];
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const apply = db.transaction(() => {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
    );
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...list.map((m) => m.version));
    if (newest > known) {
      throw integrationError('migration_failed', `the database is at schema version ${newest}, newer than this package knows (${known})`, {
        retryable: false,
        details: { databaseVersion: newest, knownVersion: known },
      });
    }
    const done: number[] = [];
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      done.push(migration.version);
    }
    return done;
  });
  try {
    return apply.immediate();
  } catch (error) {
    if (isIntegrationError(error)) throw error;
    const code = error && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw integrationError('store_unavailable', `sqlite migrations could not take the write lock: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      });
    }
    throw integrationError('migration_failed', `sqlite migration failed: ${error instanceof Error ? error.message : String(error)}`, {
      retryable: false,
      cause: error,
    });
  }
}
