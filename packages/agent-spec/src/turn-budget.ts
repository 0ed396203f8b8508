import type { Clock, IntegrationError } from '@integration/contracts';
import { agentFailure } from './errors';

/**
 * The time and cancellation bounds of one turn: every step runs within what is left of the turn's
 * timeout and stops when the caller's signal fires. Errors it raises are marked as the turn's own,
 * so a step that rethrows one is not wrapped again.
 */
export class TurnBudget {
  /** Aborted when a step runs out of time or the caller cancels: handed to operations. */
  readonly controller = new AbortController();
  private readonly own = new WeakSet<object>();
  private readonly started: number;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly external: AbortSignal | undefined,
  ) {
    this.started = clock.now();
  }

  /** Marks an error as the turn's own (rethrown as it is by later steps). */
  mark(error: IntegrationError): IntegrationError {
    this.own.add(error);
    return error;
  }

  isOwn(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.own.has(error);
  }

  /** Throws when the turn is cancelled or out of time. */
  check(): void {
    if (this.external?.aborted) throw this.cancelled();
    if (this.elapsed() > this.timeoutMs) throw this.timedOut();
  }

  /** Runs a step, bounded by the remaining time and the caller's signal. */
  async bounded<T>(step: () => T | Promise<T>): Promise<T> {
    this.check();
    const remaining = Math.max(0, this.timeoutMs - this.elapsed());
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.controller.abort();
        reject(this.timedOut());
      }, remaining);
      if (this.external) {
        onAbort = () => {
          this.controller.abort();
          reject(this.cancelled());
        };
        this.external.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      return await Promise.race([Promise.resolve().then(step), guard]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.external?.removeEventListener('abort', onAbort);
    }
  }

  private elapsed(): number {
    return this.clock.now() - this.started;
  }

  private timedOut(): IntegrationError {
    return this.mark(
      agentFailure('agent_timeout', `the turn exceeded its ${this.timeoutMs} ms timeout`, {
        kind: 'turn_timeout_exceeded',
        timeoutMs: this.timeoutMs,
        elapsedMs: this.elapsed(),
      }),
    );
  }

  private cancelled(): IntegrationError {
    return this.mark(agentFailure('runtime_cancelled', 'the turn was cancelled', { kind: 'turn_cancelled' }));
  }
}
