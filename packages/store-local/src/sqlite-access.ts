import type { SqliteHandle } from './sqlite-handle';
import { toStoreError } from './errors';

/** Side effects (waking queue waiters) deferred until the enclosing transaction commits. */
export type CommitEffects = Array<() => void> | null;

/**
 * Shared plumbing of the SQLite store views. Outside a transaction, a call waits while an async
 * transaction of this instance is open (they share one connection); inside, it runs at once.
 */
export abstract class SqliteAccess {
  constructor(
    protected readonly h: SqliteHandle,
    protected readonly effects: CommitEffects,
  ) {}

  protected get inTransaction(): boolean {
    return this.effects !== null;
  }

  protected async op<T>(fn: () => T): Promise<T> {
    try {
      if (this.inTransaction) return this.exec(fn);
      // A busy file is retried asynchronously (fn fails at lock acquisition, before any write).
      return await this.h.retryBusy(() => (this.h.mutex.held ? this.h.mutex.run(() => this.exec(fn)) : this.exec(fn)));
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private exec<T>(fn: () => T): T {
    this.h.assertOpen();
    return fn();
  }

  protected afterCommit(effect: () => void): void {
    if (this.effects) this.effects.push(effect);
    else effect();
  }
}

export const parseRecord = <T>(row: { record: string } | undefined): T | null => (row ? (JSON.parse(row.record) as T) : null);
export const parseRecords = <T>(rows: unknown[]): T[] => (rows as Array<{ record: string }>).map((r) => JSON.parse(r.record) as T);
export const json = (value: unknown): string => JSON.stringify(value);
