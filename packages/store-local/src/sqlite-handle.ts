import Database from 'better-sqlite3';
import { KeyedMutex, Mutex, integrationError } from '@integration/contracts';
import { applyMigrations } from './migrations';
import { toStoreError } from './errors';

export interface SqliteHandleOptions {
  path: string;
  busyTimeoutMs: number;
  /** `NORMAL` (default) is durable across process crashes in WAL mode; `FULL` also across power loss. */
  synchronous: 'NORMAL' | 'FULL';
}

/**
 * One better-sqlite3 connection shared by every store view of a `sqliteStores()` instance, with a
 * statement cache, the in-process transaction mutex and the in-process work waiters.
 */
export class SqliteHandle {
  readonly db: Database.Database;
  /** Held by an open async transaction; plain calls wait for it (they share the connection). */
  readonly mutex = new Mutex();
  readonly locks = new KeyedMutex();
  readonly workWaiters = new Set<() => void>();
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  constructor(readonly options: SqliteHandleOptions) {
    try {
      this.db = new Database(options.path, { timeout: options.busyTimeoutMs });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous}`);
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
      this.db.pragma('foreign_keys = OFF');
    } catch (error) {
      throw toStoreError(error);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  migrate(): number[] {
    this.assertOpen();
    return applyMigrations(this.db);
  }

  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` atomically: BEGIN IMMEDIATE at top level, a SAVEPOINT inside an open transaction. */
  atomic<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  assertOpen(): void {
    if (this.closed) throw integrationError('store_failed', 'the sqlite store is closed', { retryable: false, details: { tier: 'sqlite' } });
  }

  /** Bumps the cross-process work signal (inside the caller's write). */
  signalWork(): void {
    this.stmt('UPDATE work_signal SET version = version + 1 WHERE id = 1').run();
  }

  workVersion(): number {
    const row = this.stmt('SELECT version FROM work_signal WHERE id = 1').get() as { version: number } | undefined;
    return row?.version ?? 0;
  }

  notifyWork(): void {
    for (const wake of [...this.workWaiters]) wake();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.notifyWork();
    this.statements.clear();
    this.db.close();
  }
}
