import diagnostics from 'node:diagnostics_channel';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Mutex } from 'async-mutex';
import { isBusy } from './errors';

/** Most calls one shared transaction takes; later ones start the next batch. */
export const MAX_BATCH_CALLS = 256;

/**
 * Published once per flushed batch: `{ path, calls, transactions }` — how many store calls it
 * served and how many commits that took (1 for a shared commit; `calls` when it fell back to one
 * transaction per call; 0 when nothing could start). For metrics and tests.
 */
export const groupCommitChannel = diagnostics.channel('integration:store-local:group-commit');

/** What the batch needs from the open file. */
export interface BatchConnection {
  readonly path: string;
  readonly db: Database.Database;
  readonly mutex: Mutex;
  /** BEGIN IMMEDIATE at top level, a SAVEPOINT inside an open transaction. */
  atomic<T>(fn: () => T): T;
  retryBusy<T>(step: () => T | Promise<T>): Promise<T>;
}

interface QueuedCall {
  /** The store call's synchronous body (it checks that its own instance is still open). */
  step: () => unknown;
  /** Commit effects the step registered (run only once its writes are committed). */
  effects: Array<() => void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for the single store calls of one SQLite file: calls issued in the same event-loop
 * turn share one IMMEDIATE transaction, so they pay one fsync instead of one each. Every call runs
 * in its own savepoint, so a call that throws rolls back only its own writes and rejects alone;
 * nobody resolves before the shared COMMIT. If the shared transaction cannot start or commit,
 * each call runs again in its own transaction, so one failure never fails a neighbour.
 *
 * A batch takes the file's FIFO mutex as soon as its first call arrives (then waits one turn for
 * the others), so reads, transactions, `close()` and later batches issued after it queue behind
 * it, as they do behind an open transaction: program order holds in this process.
 */
export class SqliteWriteBatch {
  private open: QueuedCall[] | null = null;
  /** The effects list of the step running now (inside a flush), for `afterCommit` outside a transaction. */
  private collecting: Array<() => void> | null = null;

  constructor(private readonly connection: BatchConnection) {}

  /** Where a step running inside a flush registers its commit effects (null outside a flush). */
  get effects(): Array<() => void> | null {
    return this.collecting;
  }

  run<T>(step: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.open || this.open.length >= MAX_BATCH_CALLS) {
        const calls: QueuedCall[] = [];
        this.open = calls;
        // A flush that throws where no call expected it must not leave its callers waiting.
        this.connection.mutex.runExclusive(() => this.flush(calls)).catch((error: unknown) => {
          for (const call of calls) call.reject(error);
        });
      }
      this.open.push({ step, effects: [], resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async flush(calls: QueuedCall[]): Promise<void> {
    // Calls issued in the turn that opened the batch (or while it waited for the mutex) join it.
    await nextTurn();
    if (this.open === calls) this.open = null;
    if (calls.length === 1) {
      await this.alone(calls[0]!);
      return this.publish(1, 1);
    }
    const { db } = this.connection;
    try {
      await this.connection.retryBusy(() => db.exec('BEGIN IMMEDIATE'));
    } catch (error) {
      // Still locked by another process after busyTimeoutMs: alone, each call would wait as long again.
      if (isBusy(error)) {
        for (const call of calls) call.reject(error);
        return this.publish(calls.length, 0);
      }
      return this.eachAlone(calls);
    }
    const outcomes: Outcome[] = [];
    for (const call of calls) {
      try {
        outcomes.push({ ok: true, value: this.collect(call, () => this.connection.atomic(call.step)) });
      } catch (error) {
        outcomes.push({ ok: false, error });
        // An I/O error can roll back the whole transaction, taking its neighbours' writes with it.
        if (!db.inTransaction) return this.eachAlone(calls);
      }
    }
    try {
      db.exec('COMMIT');
    } catch {
      if (db.inTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // The connection already rolled back.
        }
      }
      return this.eachAlone(calls);
    }
    this.publish(calls.length, 1);
    calls.forEach((call, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) {
        for (const effect of call.effects) effect();
        call.resolve(outcome.value);
      } else call.reject(outcome.error);
    });
  }

  /** Exactly the path of an unbatched call: its own statement or transaction, busy retried. */
  private async alone(call: QueuedCall): Promise<void> {
    try {
      const value = await this.connection.retryBusy(() => this.collect(call, call.step));
      for (const effect of call.effects) effect();
      call.resolve(value);
    } catch (error) {
      call.reject(error);
    }
  }

  private async eachAlone(calls: QueuedCall[]): Promise<void> {
    for (const call of calls) await this.alone(call);
    this.publish(calls.length, calls.length);
  }

  private collect<T>(call: QueuedCall, step: () => T): T {
    call.effects = [];
    this.collecting = call.effects;
    try {
      return step();
    } finally {
      this.collecting = null;
    }
  }

  private publish(calls: number, transactions: number): void {
    if (groupCommitChannel.hasSubscribers) groupCommitChannel.publish({ path: this.connection.path, calls, transactions });
  }
}
