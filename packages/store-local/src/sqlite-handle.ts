import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { integrationError } from '@integration/contracts';
import { Mutex } from 'async-mutex';
import AsyncLock from 'async-lock';
import { applyMigrations } from './migrations';
import { isBusy, toStoreError } from './errors';
import { BackgroundCheckpointer } from './sqlite-checkpointer';
import { SqliteWriteBatch } from './sqlite-write-batch';

/**
 * How long one statement waits inside SQLite for another process's lock. Longer waits happen as
 * async retries (`retryBusy`), so a contended file never blocks the event loop for long.
 */
const BUSY_STEP_MS = 20;

/**
 * Page cache of the connection (KiB, as `cache_size = -N`). SQLite's default (2 MiB) is smaller
 * than the indexes a busy ledger inserts into, so every commit re-read evicted pages from the OS.
 */
const CACHE_KIB = 32 * 1024;

/**
 * The background checkpointer starts once the WAL has reached SQLite's autocheckpoint size (1000
 * pages), i.e. the file sees enough writes for inline checkpoints to stall commits; a short-lived
 * or read-mostly process never starts a thread. Checked every this many prepared-statement lookups.
 */
const CHECKPOINTER_CHECK_EVERY = 1024;
const AUTOCHECKPOINT_PAGES = 1000;
/** The writer's autocheckpoint once the checkpointer runs (pages; 40 MiB of WAL at 4 KiB pages). */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

export interface SqliteHandleOptions {
  path: string;
  busyTimeoutMs: number;
  /** `FULL` (default): each commit is fsynced, so it survives power loss; `NORMAL` survives process crashes only. */
  synchronous: 'NORMAL' | 'FULL';
  /** Single write calls outside a transaction share the next commit with the others issued in the same turn. */
  groupCommit: boolean;
}

/**
 * One open database file in this process: the better-sqlite3 connection, its statement cache, the
 * transaction mutex and the work waiters. Every `sqliteStores()` instance on the same path in one
 * process shares it: two connections in one process would block each other's event loop while
 * an async transaction waits for the write lock.
 */
class SqliteFile {
  readonly db: Database.Database;
  readonly mutex = new Mutex();
  readonly locks = new AsyncLock({ maxPending: Infinity });
  readonly workWaiters = new Set<() => void>();
  readonly statements = new Map<string, Database.Statement>();
  /** One reusable better-sqlite3 transaction function: BEGIN IMMEDIATE, or a SAVEPOINT when nested. */
  readonly runAtomic: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Group commit of the single calls of every `sqliteStores()` instance on this file. */
  readonly writes: SqliteWriteBatch;
  users = 0;
  closed = false;
  private statementsUntilCheck = CHECKPOINTER_CHECK_EVERY;
  private checkpointer: BackgroundCheckpointer | null = null;

  constructor(readonly options: SqliteHandleOptions) {
    this.db = new Database(options.path, { timeout: Math.min(BUSY_STEP_MS, options.busyTimeoutMs) });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous}`);
      this.db.pragma('foreign_keys = OFF');
      this.db.pragma(`cache_size = -${CACHE_KIB}`);
      this.runAtomic = this.db.transaction((fn: () => unknown) => fn());
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.writes = new SqliteWriteBatch({
      path: options.path,
      db: this.db,
      mutex: this.mutex,
      atomic: <T>(fn: () => T) => this.runAtomic.immediate(fn) as T,
      retryBusy: (step) => this.retryBusy(step),
    });
  }

  /**
   * Runs a synchronous step that may meet another process's lock (SQLITE_BUSY), retrying it with
   * short async back-off until busyTimeoutMs has passed; then the busy error is thrown. Only for
   * steps that fail before writing anything (lock acquisition, autocommit statements, reads).
   */
  async retryBusy<T>(step: () => T | Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.busyTimeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 16)) {
      try {
        return await step();
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await sleep(delay + Math.random() * delay);
    }
  }

  /** Counts statement use; now and then starts the background checkpointer once the WAL is big enough. */
  noteStatement(): void {
    if (--this.statementsUntilCheck > 0 || this.checkpointer || this.closed) return;
    this.statementsUntilCheck = CHECKPOINTER_CHECK_EVERY;
    const wal = statSync(`${this.options.path}-wal`, { throwIfNoEntry: false });
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    if (wal && wal.size >= AUTOCHECKPOINT_PAGES * pageSize) {
      this.checkpointer = new BackgroundCheckpointer({ path: this.options.path, synchronous: this.options.synchronous });
      // The writer's own autocheckpoint stays as a backstop: when the thread cannot keep up (or
      // has not caught up at the moment a write starts, which the WAL needs to rewind), the commit
      // that passes this size copies what is left and lets the WAL start over.
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
      this.db.pragma(`journal_size_limit = ${BACKSTOP_AUTOCHECKPOINT_PAGES * pageSize}`);
    }
  }

  /** Stops the checkpointer thread (waiting for it), then closes the connection (its final checkpoint removes the WAL). */
  async close(): Promise<void> {
    this.closed = true;
    this.statements.clear();
    if (this.checkpointer) await this.checkpointer.stop();
    this.db.close();
  }
}

const openFiles = new Map<string, SqliteFile>();

/** A `sqliteStores()` instance's access to its (possibly shared) open file. */
export class SqliteHandle {
  private readonly file: SqliteFile;
  private closed = false;
  /** This instance's choice; the batch itself belongs to the file (see `SqliteAccess.write`). */
  readonly groupCommit: boolean;

  constructor(options: SqliteHandleOptions) {
    this.groupCommit = options.groupCommit;
    let file = openFiles.get(options.path);
    if (!file || file.closed) {
      try {
        file = new SqliteFile(options);
      } catch (error) {
        throw toStoreError(error);
      }
      openFiles.set(options.path, file);
    }
    file.users += 1;
    this.file = file;
  }

  get db(): Database.Database {
    return this.file.db;
  }
  get mutex(): Mutex {
    return this.file.mutex;
  }
  get locks(): AsyncLock {
    return this.file.locks;
  }
  get workWaiters(): Set<() => void> {
    return this.file.workWaiters;
  }
  get writes(): SqliteWriteBatch {
    return this.file.writes;
  }
  get isClosed(): boolean {
    return this.closed || this.file.closed;
  }

  /** Applies pending migrations, waiting (synchronously) up to busyTimeoutMs for the write lock. */
  migrate(): number[] {
    this.assertOpen();
    this.db.pragma(`busy_timeout = ${this.file.options.busyTimeoutMs}`);
    try {
      return applyMigrations(this.db);
    } finally {
      this.db.pragma(`busy_timeout = ${Math.min(BUSY_STEP_MS, this.file.options.busyTimeoutMs)}`);
    }
  }

  /** See `SqliteFile.retryBusy`. */
  retryBusy<T>(step: () => T | Promise<T>): Promise<T> {
    return this.file.retryBusy(step);
  }

  stmt(sql: string): Database.Statement {
    this.file.noteStatement();
    let statement = this.file.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.file.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` atomically: BEGIN IMMEDIATE at top level, a SAVEPOINT inside an open transaction. */
  atomic<T>(fn: () => T): T {
    return this.file.runAtomic.immediate(fn) as T;
  }

  assertOpen(): void {
    if (this.isClosed) throw integrationError('store_failed', 'the sqlite store is closed', { retryable: false, details: { tier: 'sqlite' } });
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

  /** Closes this instance; the file closes (checkpointing the WAL) when its last user closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notifyWork();
    this.file.users -= 1;
    if (this.file.users === 0 && !this.file.closed) {
      if (openFiles.get(this.file.options.path) === this.file) openFiles.delete(this.file.options.path);
      await this.file.close();
    }
  }
}
