import { isIntegrationError, isoAt, type DispatchError, type ErrorCode } from '@integration/contracts';

/** Failures that no retry can fix: the job dead-letters at once. */
export const TERMINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'policy_denied',
  'policy_shed',
  'run_denied',
  'run_shed',
  'unknown_run',
  'unknown_capability',
]);

export type Outcome =
  | { kind: 'completed'; recovered: boolean }
  | { kind: 'retry'; error: DispatchError; retryAfterMs?: number }
  | { kind: 'dead_letter'; error: DispatchError };

export function dispatchErrorOf(error: unknown, now: number, stage: DispatchError['stage'] = 'execution'): DispatchError {
  if (isIntegrationError(error)) {
    return {
      stage,
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      details: error.details,
      recordedAt: isoAt(now),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { stage, code: 'runtime_failed', message, retryable: true, details: {}, recordedAt: isoAt(now) };
}

/**
 * Conflicts that a later delivery resolves: a concurrent executeRun on the same run, or a run still
 * `running` because a released (cancelled) delivery has not finished recording its outcome.
 */
export const RETRYABLE_CONFLICTS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['duplicate_record', 'stale_aggregator_epoch', 'run_not_executable']);

/**
 * What a failed delivery means for the job. `run_completed` means an earlier delivery already
 * finished the run (e.g. a worker died after the ledger committed but before it settled the job),
 * so the job is complete, not dead. Typed errors follow their `retryable` flag; anything untyped
 * (a crash in host code) is retried.
 */
export function classifyFailure(error: unknown, attempts: number, maxAttempts: number, now: number): Outcome {
  if (isIntegrationError(error) && error.code === 'run_completed') return { kind: 'completed', recovered: true };
  const summary = dispatchErrorOf(error, now);
  const terminal =
    isIntegrationError(error) && (TERMINAL_CODES.has(error.code) || (!error.retryable && !RETRYABLE_CONFLICTS.has(error.code)));
  if (terminal || attempts >= maxAttempts) return { kind: 'dead_letter', error: summary };
  return { kind: 'retry', error: summary, ...(summary.retryAfterMs === undefined ? {} : { retryAfterMs: summary.retryAfterMs }) };
}
