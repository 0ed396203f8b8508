import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { toStoreError, isConnectionError } from './errors';

/** Where a store view sends SQL: the pool (autocommit) or the client of an open transaction. */
export interface Executor {
  readonly inTransaction: boolean;
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs `fn` atomically on one connection: outside a transaction its own BEGIN/COMMIT on a pool
   * client; inside one, directly on the transaction's client, or under a SAVEPOINT when
   * `savepoint` is set (so a failure part-way undoes only this step, not the caller's transaction).
   */
  atomic<T>(fn: (q: Executor) => Promise<T>, options?: { savepoint?: boolean }): Promise<T>;
}

const ignore = () => undefined;

const names = new Map<string, string>();
/**
 * Parameterised statements run as named prepared statements (pg caches them per connection), so
 * Postgres parses and plans each distinct statement once per connection instead of on every call.
 */
export function prepared(sql: string, params: unknown[] | undefined): QueryConfig {
  if (params === undefined) return { text: sql };
  let name = names.get(sql);
  if (!name) {
    name = `integration_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return { name, text: sql, values: params };
}

/** Checks a client out with an error listener attached, so a dropped connection cannot crash the process. */
export async function checkout(pool: Pool): Promise<PoolClient> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStoreError(error);
  }
  client.on('error', ignore);
  return client;
}

export function release(client: PoolClient, error?: unknown): void {
  client.removeListener('error', ignore);
  client.release(error !== undefined && isConnectionError(error) ? (error as Error) : undefined);
}

export class TransactionExecutor implements Executor {
  readonly inTransaction = true;
  private savepoints = 0;

  constructor(readonly client: PoolClient) {}

  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    try {
      return await this.client.query<R>(prepared(sql, params));
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async atomic<T>(fn: (q: Executor) => Promise<T>, options: { savepoint?: boolean } = {}): Promise<T> {
    if (!options.savepoint) return fn(this);
    const name = `sp_${(this.savepoints += 1)}`;
    await this.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(ignore);
      throw error;
    }
  }
}

export class PoolExecutor implements Executor {
  readonly inTransaction = false;

  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    await this.ready();
    try {
      return await this.pool.query<R>(prepared(sql, params));
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async atomic<T>(fn: (q: Executor) => Promise<T>): Promise<T> {
    await this.ready();
    return runTransaction(this.pool, fn);
  }
}

/** BEGIN on a pool client, `fn`, COMMIT; ROLLBACK and rethrow when `fn` throws. */
export async function runTransaction<T>(pool: Pool, fn: (q: TransactionExecutor) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
  const tx = new TransactionExecutor(client);
  try {
    await tx.query('BEGIN');
  } catch (error) {
    release(client, error);
    throw error;
  }
  let result: T;
  try {
    result = await fn(tx);
  } catch (error) {
    let failure: unknown;
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      failure = rollbackError;
    });
    release(client, failure ?? error);
    throw error;
  }
  try {
    await tx.query('COMMIT');
  } catch (error) {
    release(client, error);
    throw error;
  }
  release(client);
  return result;
}
