import pg from 'pg';
import { z } from 'zod';
import { integrationError, parseAt, type StoreSet, type Stores } from '@integration/contracts';
import AsyncLock from 'async-lock';
import { checkout, PoolExecutor, release, runTransaction, type Executor } from './executor';
import { applyPgMigrations } from './migrations';
import { PgAuthStore } from './pg-auth';
import type { PgContext } from './pg-context';
import { PgDispatchStore } from './pg-dispatch';
import { PgIngressStore } from './pg-ingress';
import { PgLedgerStore } from './pg-ledger';
import { PgRouteStore } from './pg-routes';
import { WorkListener } from './work-listener';

export const SchemaNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a schema name is letters, digits and _ (max 63)');

export const PostgresStoresOptionsSchema = z
  .strictObject({
    /** e.g. `postgres://postgres@127.0.0.1:5432/app`. */
    connectionString: z.string().min(1).optional(),
    /** Or an existing pg Pool (not ended by `close()`). */
    pool: z.custom<pg.Pool>((v) => v instanceof pg.Pool, 'pool must be a pg.Pool').optional(),
    /** The schema that holds every table (created if missing). */
    schema: SchemaNameSchema.default('integration'),
    /** Apply pending migrations on first use (default). With false, call `migrate()` yourself. */
    autoMigrate: z.boolean().default(true),
    /** Size of the pool created from `connectionString` (≥ 2: withLock holds one client while its callback queries). */
    max: z.number().int().min(2).default(10),
    /** How long to wait for a connection before `store_unavailable`. */
    connectionTimeoutMs: z.number().int().positive().default(5_000),
    /** `application_name` of the connections this tier opens (visible in pg_stat_activity). */
    applicationName: z.string().min(1).max(63).default('integration-store'),
  })
  .refine((o) => (o.connectionString === undefined) !== (o.pool === undefined), { message: 'give exactly one of connectionString or pool' });
export type PostgresStoresOptions = z.input<typeof PostgresStoresOptionsSchema>;

/**
 * The Postgres tier: a pg Pool, versioned migrations under an advisory lock, real transactions,
 * row locks, a SKIP LOCKED queue with LISTEN/NOTIFY, advisory locks for single-flight refresh.
 * Many processes on many hosts may share one schema. Lost connections surface as a retryable
 * `store_unavailable` and the pool reconnects when Postgres is back.
 */
export function postgresStores(input: PostgresStoresOptions): Stores {
  const options = parseAt(PostgresStoresOptionsSchema, input, 'postgresStores options');
  const ownsPool = !options.pool;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.max,
      connectionTimeoutMillis: options.connectionTimeoutMs,
      idleTimeoutMillis: 10_000,
      application_name: options.applicationName,
    });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would crash
  // the process. The pool drops the client and opens a new one on the next checkout.
  const onPoolError = () => undefined;
  pool.on('error', onPoolError);

  const schema = options.schema;
  const channel = `integration_work_${schema}`.slice(0, 63);
  const listenerConfig: pg.ClientConfig = options.pool
    ? { ...(pool as unknown as { options: pg.ClientConfig }).options }
    : { connectionString: options.connectionString, connectionTimeoutMillis: options.connectionTimeoutMs, application_name: `${options.applicationName}-listen`.slice(0, 63) };
  let closed = false;
  let migrated: Promise<void> | null = null;

  const migrate = async (): Promise<void> => {
    const client = await checkout(pool);
    let failure: unknown;
    try {
      await applyPgMigrations(client, schema);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      release(client, failure);
    }
  };

  const ctx: PgContext = {
    pool,
    schema,
    channel,
    locks: new AsyncLock({ maxPending: Infinity }),
    listener: new WorkListener(listenerConfig, channel),
    t: (table) => `"${schema}".${table}`,
    ready: () => {
      if (closed) return Promise.reject(integrationError('store_failed', 'the postgres store is closed', { retryable: false, details: { tier: 'postgres' } }));
      if (!options.autoMigrate) return Promise.resolve();
      if (!migrated) {
        // A failed migration (e.g. Postgres down at start-up) is retried on the next call.
        migrated = migrate().catch((error: unknown) => {
          migrated = null;
          throw error;
        });
      }
      return migrated;
    },
  };

  const views = (q: Executor, effects: Array<() => void> | null): StoreSet => ({
    auth: new PgAuthStore(ctx, q, effects),
    ledger: new PgLedgerStore(ctx, q, effects),
    ingress: new PgIngressStore(ctx, q, effects),
    dispatch: new PgDispatchStore(ctx, q, effects),
    routes: new PgRouteStore(ctx, q, effects),
  });

  return {
    tier: 'postgres',
    // Each transaction has its own pool client; row locks, not one writer, keep them apart.
    capabilities: { serializedTransactions: false },
    ...views(new PoolExecutor(pool, ctx.ready), null),
    /** One pool client for the whole of `fn`: BEGIN … COMMIT, or ROLLBACK when `fn` throws. */
    async transaction<T>(fn: (tx: StoreSet) => Promise<T>): Promise<T> {
      await ctx.ready();
      const effects: Array<() => void> = [];
      const result = await runTransaction(pool, (tx) => fn(views(tx, effects)));
      for (const effect of effects) effect();
      return result;
    },
    async migrate() {
      if (closed) return ctx.ready();
      migrated = migrate();
      await migrated.catch((error: unknown) => {
        migrated = null;
        throw error;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await ctx.listener.close();
      if (ownsPool) await pool.end().catch(() => undefined);
      else pool.removeListener('error', onPoolError);
    },
  };
}
