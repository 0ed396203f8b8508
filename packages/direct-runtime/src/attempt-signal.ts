import { ExecutionError, NEVER_ABORTED, type IntegrationError } from '@integration/contracts';

/** setTimeout overflows above 2^31-1 ms (and then fires at once); longer timeouts are clamped. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export interface AttemptSignal {
  /** Aborted with a typed `runtime_timeout` / `runtime_cancelled` ExecutionError as its reason. */
  readonly signal: AbortSignal;
  /** The typed error the attempt was aborted with, or null while it runs. */
  readonly reason: IntegrationError | null;
  /** Resolves with that error once the signal aborts (never rejects). */
  readonly aborted: Promise<IntegrationError>;
  /** Clears the timer and detaches from the caller's signal. Idempotent. */
  dispose(): void;
}

export function timeoutError(timeoutMs: number): IntegrationError {
  return new ExecutionError('runtime_timeout', `attempt timed out after ${timeoutMs} ms`, {
    retryable: true,
    details: { timeoutMs },
  });
}

export function cancelledError(): IntegrationError {
  return new ExecutionError('runtime_cancelled', 'attempt cancelled by the caller', { retryable: false });
}

/**
 * One signal for a handler: the caller's signal plus the attempt timeout. Unlike AbortSignal.any,
 * its reason says which of the two fired, as a typed error.
 */
export function attemptSignal(parent: AbortSignal, timeoutMs: number): AttemptSignal {
  // The AbortController is created only if someone reads `signal` (most no-op paths never do);
  // the timer and the parent listener are what actually bound the attempt.
  let controller: AbortController | undefined;
  let reason: IntegrationError | null = null;
  let resolveAborted!: (error: IntegrationError) => void;
  const aborted = new Promise<IntegrationError>((resolve) => {
    resolveAborted = resolve;
  });
  const abort = (error: IntegrationError) => {
    if (reason) return;
    reason = error;
    controller?.abort(error);
    resolveAborted(error);
    dispose();
  };
  const onParentAbort = () => abort(cancelledError());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const dispose = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    parent.removeEventListener('abort', onParentAbort);
  };

  if (parent.aborted) {
    abort(cancelledError());
  } else {
    if (parent !== NEVER_ABORTED) parent.addEventListener('abort', onParentAbort, { once: true });
    timer = setTimeout(() => abort(timeoutError(timeoutMs)), Math.min(Math.max(timeoutMs, 0), MAX_TIMEOUT_MS));
  }
  return {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (reason) controller.abort(reason);
      }
      return controller.signal;
    },
    get reason() {
      return reason;
    },
    aborted,
    dispose,
  };
}
