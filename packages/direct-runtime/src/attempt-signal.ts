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
 * its reason says which of the two fired, as a typed error. A class, not a closure bundle: one is
 * made per attempt, and the handlers live on the prototype.
 */
class TimedAttemptSignal implements AttemptSignal {
  // Created only if someone reads `signal` (most no-op paths never do); the timer and the parent
  // listener are what actually bound the attempt.
  private controller: AbortController | undefined;
  private abortReason: IntegrationError | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private resolveAborted!: (error: IntegrationError) => void;
  readonly aborted: Promise<IntegrationError>;
  private readonly onParentAbort = () => this.abort(cancelledError());

  constructor(
    private readonly parent: AbortSignal,
    timeoutMs: number,
  ) {
    this.aborted = new Promise<IntegrationError>((resolve) => {
      this.resolveAborted = resolve;
    });
    if (parent.aborted) {
      this.abort(cancelledError());
      return;
    }
    if (parent !== NEVER_ABORTED) parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.timer = setTimeout(() => this.abort(timeoutError(timeoutMs)), Math.min(Math.max(timeoutMs, 0), MAX_TIMEOUT_MS));
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get reason(): IntegrationError | null {
    return this.abortReason;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.parent !== NEVER_ABORTED) this.parent.removeEventListener('abort', this.onParentAbort);
  }

  private abort(error: IntegrationError): void {
    if (this.abortReason) return;
    this.abortReason = error;
    this.controller?.abort(error);
    this.resolveAborted(error);
    this.dispose();
  }
}

export function attemptSignal(parent: AbortSignal, timeoutMs: number): AttemptSignal {
  return new TimedAttemptSignal(parent, timeoutMs);
}
