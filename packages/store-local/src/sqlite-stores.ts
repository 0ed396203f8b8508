import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseAt, type StoreSet, type Stores } from '@integration/contracts';
import { toStoreError } from './errors';
import type { CommitEffects } from './sqlite-access';
import { SqliteAuthStore } from './sqlite-auth';
import { SqliteDispatchStore } from './sqlite-dispatch';
import { SqliteHandle } from './sqlite-handle';
import { SqliteIngressStore } from './sqlite-ingress';
import { SqliteLedgerStore } from './sqlite-ledger';
import { SqliteRouteStore } from './sqlite-routes';

export const SqliteStoresOptionsSchema = z.strictObject({
  /** The database file (created with its directory when missing). `:memory:` is refused: use memoryStores(). */
  path: z.string().min(1).refine((p) => p !== ':memory:', 'use memoryStores() for an in-memory tier'),
  /** How long a statement waits for another process's write lock before `store_unavailable`. */
  busyTimeoutMs: z.number().int().nonnegative().default(5_000),
  /** WAL `synchronous` level: FULL (default, the ledger is the audit truth) survives power loss; NORMAL only process crashes. */
  synchronous: z.enum(['NORMAL', 'FULL']).default('FULL'),
  /** How often `waitForWork` checks for work enqueued by other processes. */
  pollIntervalMs: z.number().int().positive().default(200),
  /** AuthStore.withLock: lifetime of an unrenewed lock row, and the poll interval of waiters. */
  lockTtlMs: z.number().int().positive().default(30_000),
  lockPollMs: z.number().int().positive().default(25),
  /**
   * Group commit (default on): single write calls outside `transaction()` issued in the same
   * event-loop turn share one commit (one fsync), each still all-or-nothing and durable before it
   * resolves. `false`: every call commits on its own.
   */
  groupCommit: z.boolean().default(true),
});
export type SqliteStoresOptions = z.input<typeof SqliteStoresOptionsSchema>;

/**
 * The local-file tier: one SQLite file (WAL), versioned migrations applied on open, real
 * transactions. Several processes may open the same file; writes are serialised by SQLite's write
 * lock (BEGIN IMMEDIATE). A call that meets another process's lock retries with async back-off
 * for up to `busyTimeoutMs` (the event loop stays free), then fails with `store_unavailable`.
 */
export function sqliteStores(input: SqliteStoresOptions): Stores {
  const options = parseAt(SqliteStoresOptionsSchema, input, 'sqliteStores options');
  const path = resolve(options.path);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw toStoreError(error);
  }
  const h = new SqliteHandle({ path, busyTimeoutMs: options.busyTimeoutMs, synchronous: options.synchronous, groupCommit: options.groupCommit });
  try {
    h.migrate();
  } catch (error) {
    void h.close();
    throw toStoreError(error);
  }
  const lockOptions = { ttlMs: options.lockTtlMs, pollMs: options.lockPollMs };
  const views = (effects: CommitEffects): StoreSet => ({
    auth: new SqliteAuthStore(h, effects, lockOptions),
    ledger: new SqliteLedgerStore(h, effects),
    ingress: new SqliteIngressStore(h, effects),
    dispatch: new SqliteDispatchStore(h, effects, options.pollIntervalMs),
    routes: new SqliteRouteStore(h, effects),
  });

  return {
    tier: 'sqlite',
    // One writer per file (BEGIN IMMEDIATE, and one mutex per file in this process).
    capabilities: { serializedTransactions: true },
    ...views(null),
    /**
     * BEGIN IMMEDIATE, run `fn` with views bound to the open transaction, COMMIT (or ROLLBACK when
     * `fn` throws). In-process callers queue on a mutex because `fn` awaits between statements; a
     * pending group commit holds that mutex too, so a transaction never overtakes an earlier call.
     */
    async transaction<T>(fn: (tx: StoreSet) => Promise<T>): Promise<T> {
      return h.mutex.runExclusive(async () => {
        try {
          h.assertOpen();
          await h.retryBusy(() => h.db.exec('BEGIN IMMEDIATE'));
        } catch (error) {
          throw toStoreError(error);
        }
        const effects: Array<() => void> = [];
        try {
          const result = await fn(views(effects));
          try {
            h.assertOpen();
            h.db.exec('COMMIT');
          } catch (error) {
            throw toStoreError(error);
          }
          for (const effect of effects) effect();
          return result;
        } catch (error) {
          if (!h.isClosed && h.db.inTransaction) {
            try {
              h.db.exec('ROLLBACK');
            } catch {
              // The connection already rolled back (e.g. after an I/O error).
            }
          }
          throw error;
        }
      });
    },
    async migrate() {
      await h.mutex.runExclusive(() => {
        try {
          h.migrate();
        } catch (error) {
          throw toStoreError(error);
        }
      });
    },
    async close() {
      await h.mutex.runExclusive(() => h.close());
    },
  };
}
