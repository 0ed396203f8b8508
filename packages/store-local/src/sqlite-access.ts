import type { SqliteHandle } from './sqlite-handle';
import { toStoreError } from './errors';

/** Side effects (waking queue waiters) deferred until the enclosing transaction commits. */
export type CommitEffects = Array<() => void> | null;

/**
 * Shared plumbing of the SQLite store views. Inside a transaction a call runs at once. Outside,
 * a write call (`write`) joins the file's group commit (`SqliteWriteBatch`): the write calls
 * issued in one event-loop turn share one commit. Any other call runs at once, or waits on the
 * file's FIFO mutex while an async transaction or a pending batch holds it (they share one
 * connection), so it never overtakes an earlier call of this process.
 */
export abstract class SqliteAccess {
  constructor(
    protected readonly h: SqliteHandle,
    protected readonly effects: CommitEffects,
  ) {}

  protected get inTransaction(): boolean {
    return this.effects !== null;
  }

  /** A call that only reads. */
  protected async op<T>(fn: () => T): Promise<T> {
    try {
      if (this.inTransaction) return this.exec(fn);
      // A busy file is retried asynchronously (fn fails at lock acquisition, before any write).
      return await this.h.retryBusy(() => (this.h.mutex.isLocked() ? this.h.mutex.runExclusive(() => this.exec(fn)) : this.exec(fn)));
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** A call that writes: shares the next commit with its neighbours unless `groupCommit` is off. */
  protected async write<T>(fn: () => T): Promise<T> {
    if (!this.h.groupCommit || this.inTransaction) return this.op(fn);
    try {
      return await this.h.writes.run(() => this.exec(fn));
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private exec<T>(fn: () => T): T {
    this.h.assertOpen();
    return fn();
  }

  /** Runs `effect` once the caller's writes are committed (at once for an autocommitted call). */
  protected afterCommit(effect: () => void): void {
    const effects = this.effects ?? this.h.writes.effects;
    if (effects) effects.push(effect);
    else effect();
  }
}

export const parseRecord = <T>(row: { record: string } | undefined): T | null => (row ? (JSON.parse(row.record) as T) : null);
export const parseRecords = <T>(rows: unknown[]): T[] => (rows as Array<{ record: string }>).map((r) => JSON.parse(r.record) as T);
export const json = (value: unknown): string => JSON.stringify(value);
