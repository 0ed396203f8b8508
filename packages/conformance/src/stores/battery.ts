import type { Stores } from '@integration/contracts';

/** How the battery reaches the adapter under test. */
export interface StoreBatteryTarget {
  /** A label for reports, e.g. `sqlite`. */
  name: string;
  /** Fresh, empty, migrated stores. Called once per check. */
  create: () => Promise<Stores>;
  /** Releases what `create` made (default: `stores.close()`); e.g. drops a temp schema. */
  dispose?: (stores: Stores) => Promise<void>;
  /** Closes `stores` and opens the same backing storage again (restart checks). */
  reopen?: (stores: Stores) => Promise<Stores>;
  /** A second, independent connection to the same backing storage (concurrency checks). */
  connect?: (stores: Stores) => Promise<Stores>;
  /** Every byte the adapter has persisted for `stores` (file bytes, table dumps…) for secret scans. */
  rawStorage?: (stores: Stores) => Promise<string | Uint8Array>;
}

export interface StoreCheckContext {
  readonly stores: Stores;
  readonly target: StoreBatteryTarget;
  /** Reopens the backing storage; the returned stores replace `stores` for cleanup. */
  reopen(): Promise<Stores>;
  /** A second connection (closed by the battery after the check). */
  connect(): Promise<Stores>;
  rawStorage(): Promise<string>;
  /** Marks the check skipped (the target lacks a hook it needs). */
  skip(reason: string): never;
}

export interface StoreCheck {
  id: string;
  title: string;
  run(ctx: StoreCheckContext): Promise<void>;
}

export type StoreCheckStatus = 'passed' | 'failed' | 'skipped';

export interface StoreCheckResult {
  id: string;
  title: string;
  status: StoreCheckStatus;
  durationMs: number;
  message?: string;
  code?: string;
}

export interface StoreBatteryReport {
  target: string;
  tier: string | null;
  passed: number;
  failed: number;
  skipped: number;
  results: StoreCheckResult[];
}

export class SkipCheck extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

function decode(bytes: string | Uint8Array): string {
  return typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
}

/**
 * Runs one check against fresh stores from `target.create()` and always cleans up (the stores it
 * handed out, any reopened or extra connections). Never throws: failures become results.
 */
export async function runStoreCheck(check: StoreCheck, target: StoreBatteryTarget): Promise<StoreCheckResult> {
  const started = performance.now();
  const extra: Stores[] = [];
  let current: Stores | null = null;
  const result = (status: StoreCheckStatus, error?: unknown): StoreCheckResult => {
    const base: StoreCheckResult = { id: check.id, title: check.title, status, durationMs: Math.round(performance.now() - started) };
    if (error !== undefined) {
      base.message = error instanceof Error ? error.message : String(error);
      const code = error && typeof error === 'object' && 'code' in error ? (error as { code: unknown }).code : undefined;
      if (typeof code === 'string') base.code = code;
    }
    return base;
  };
  let outcome: StoreCheckResult;
  try {
    current = await target.create();
    const stores = current;
    const ctx: StoreCheckContext = {
      stores,
      target,
      async reopen() {
        if (!target.reopen) throw new SkipCheck(`${target.name} has no reopen hook`);
        const reopened = await target.reopen(current!);
        current = reopened;
        return reopened;
      },
      async connect() {
        if (!target.connect) throw new SkipCheck(`${target.name} has no connect hook`);
        const second = await target.connect(current!);
        extra.push(second);
        return second;
      },
      async rawStorage() {
        if (!target.rawStorage) throw new SkipCheck(`${target.name} has no rawStorage hook`);
        return decode(await target.rawStorage(current!));
      },
      skip(reason: string): never {
        throw new SkipCheck(reason);
      },
    };
    await check.run(ctx);
    outcome = result('passed');
  } catch (error) {
    outcome = error instanceof SkipCheck ? { ...result('skipped'), message: error.message } : result('failed', error);
  }
  for (const stores of extra) await stores.close().catch(() => undefined);
  if (current) {
    try {
      await (target.dispose ? target.dispose(current) : current.close());
    } catch (error) {
      if (outcome.status !== 'failed') outcome = { ...result('failed', error), message: `cleanup failed: ${String(error)}` };
    }
  }
  return outcome;
}

export interface RunStoreConformanceOptions {
  /** Only checks whose id starts with one of these prefixes. */
  only?: string[];
  checks?: StoreCheck[];
}
