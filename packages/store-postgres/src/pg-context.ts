import type { Pool, QueryResultRow } from 'pg';
import type AsyncLock from 'async-lock';
import type { Executor } from './executor';
import type { WorkListener } from './work-listener';

/** What every Postgres store view shares. */
export interface PgContext {
  readonly pool: Pool;
  readonly schema: string;
  /** `"schema".table` */
  t(table: string): string;
  /** Resolves once migrations are applied (lazily on first use). */
  ready(): Promise<void>;
  readonly locks: AsyncLock;
  readonly listener: WorkListener;
  /** NOTIFY channel for dispatch work in this schema. */
  readonly channel: string;
}

export abstract class PgAccess {
  constructor(
    protected readonly ctx: PgContext,
    protected readonly q: Executor,
    /** Effects run after the enclosing transaction commits (or at once outside one). */
    protected readonly effects: Array<() => void> | null,
  ) {}

  protected t(table: string): string {
    return this.ctx.t(table);
  }

  protected afterCommit(effect: () => void): void {
    if (this.effects) this.effects.push(effect);
    else effect();
  }
}

export const json = (value: unknown): string => JSON.stringify(value);
/** JSON round trip, so returned records equal what a later fetch returns. */
export const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
export const records = <T>(rows: QueryResultRow[]): T[] => rows.map((r) => r['record'] as T);
export const first = <T>(rows: QueryResultRow[]): T | null => (rows[0] ? (rows[0]['record'] as T) : null);
