import diagnostics from 'node:diagnostics_channel';
import type Database from 'better-sqlite3';
import type { Mutex } from 'async-mutex';
import { TurnBatcher, type BatchOutcome } from '@integration/contracts';
import { isBusy } from './errors';

/** Most calls one shared transaction takes; later ones start the next batch. */
export const MAX_BATCH_CALLS = 256;

/**
 * Published once per commit: `{ path, calls, transactions }` — how many store calls a shared
 * transaction served (`transactions: 1`), a call that ran alone (a batch of one, or each call of a
 * shared transaction that fell back: `calls: 1`), or a batch that could not start (`transactions:
 * 0`). For metrics and tests.
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
}

/** Thrown inside a batch to run each of its calls in a transaction of its own instead. */
class RunEachAlone extends Error {}

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
  /** The effects list of the step running now (inside a flush), for `afterCommit` outside a transaction. */
  private collecting: Array<() => void> | null = null;
  private readonly batcher: TurnBatcher<QueuedCall, unknown>;

  constructor(private readonly connection: BatchConnection) {
    this.batcher = new TurnBatcher<QueuedCall, unknown>({
      maxBatch: MAX_BATCH_CALLS,
      hold: (run) => connection.mutex.runExclusive(run),
      runAlone: (call) => this.alone(call),
      runBatch: (calls) => this.shared(calls),
    });
  }

  /** Where a step running inside a flush registers its commit effects (null outside a flush). */
  get effects(): Array<() => void> | null {
    return this.collecting;
  }

  run<T>(step: () => T): Promise<T> {
    return this.batcher.submit({ step, effects: [] }) as Promise<T>;
  }

  /** Calls in one shared transaction, each in its own savepoint; effects run once it commits. */
  private async shared(calls: QueuedCall[]): Promise<Array<BatchOutcome<unknown>>> {
    const { db } = this.connection;
    try {
      await this.connection.retryBusy(() => db.exec('BEGIN IMMEDIATE'));
    } catch (error) {
      // Still locked by another process after busyTimeoutMs: alone, each call would wait as long again.
      if (isBusy(error)) {
        this.publish(calls.length, 0);
        return calls.map(() => ({ ok: false, error }));
      }
      throw new RunEachAlone();
    }
    const outcomes: Array<BatchOutcome<unknown>> = [];
    for (const call of calls) {
      try {
        outcomes.push({ ok: true, value: this.collect(call, () => this.connection.atomic(call.step)) });
      } catch (error) {
        outcomes.push({ ok: false, error });
        // An I/O error can roll back the whole transaction, taking its neighbours' writes with it.
        if (!db.inTransaction) throw new RunEachAlone();
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
      throw new RunEachAlone();
    }
    this.publish(calls.length, 1);
    calls.forEach((call, i) => {
      if (outcomes[i]!.ok) for (const effect of call.effects) effect();
    });
    return outcomes;
  }

  /** Exactly the path of an unbatched call: its own statement or transaction, busy retried. */
  private async alone(call: QueuedCall): Promise<unknown> {
    try {
      const value = await this.connection.retryBusy(() => this.collect(call, call.step));
      for (const effect of call.effects) effect();
      return value;
    } finally {
      this.publish(1, 1);
    }
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
