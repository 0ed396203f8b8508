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
    if (this.inTransaction || !this.h.mutex.held) return this.exec(fn);
    return this.h.mutex.run(() => this.exec(fn));
  }

  private exec<T>(fn: () => T): T {
    try {
      this.h.assertOpen();
      return fn();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  protected afterCommit(effect: () => void): void {
    if (this.effects) this.effects.push(effect);
    else effect();
  }
}

export const parseRecord = <T>(row: { record: string } | undefined): T | null => (row ? (JSON.parse(row.record) as T) : null);
export const parseRecords = <T>(rows: unknown[]): T[] => (rows as Array<{ record: string }>).map((r) => JSON.parse(r.record) as T);
export const json = (value: unknown): string => JSON.stringify(value);
