export interface BackoffPolicy {
  /** First retry's ceiling. Default 1000 ms. */
  baseMs: number;
  /** Largest ceiling. Default 30000 ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 };
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base·2^(n-1))] after the
 * n-th failed delivery. A `Retry-After` from the provider is a floor (it may exceed the cap).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random, retryAfterMs?: number): number {
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n - 1, 52));
  const jittered = Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
  return retryAfterMs !== undefined && retryAfterMs > jittered ? Math.ceil(retryAfterMs) : jittered;
}
