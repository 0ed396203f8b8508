import type { ExecutionEvent, ExecutionResult, RunStream } from './driver';

/**
 * A single-consumer queue of execution events that is also a RunStream. Producers push events
 * and finally settle the result; consumers iterate events and await `result()`.
 */
export class EventChannel implements RunStream {
  private readonly buffer: ExecutionEvent[] = [];
  private readonly waiters: Array<(value: IteratorResult<ExecutionEvent>) => void> = [];
  private closed = false;
  private settle!: (result: ExecutionResult) => void;
  private readonly settled: Promise<ExecutionResult>;

  constructor(readonly runId: string) {
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  push(event: ExecutionEvent): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: event, done: false });
    else this.buffer.push(event);
  }

  /** Ends the event stream and resolves the result. */
  close(result: ExecutionResult): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
    this.settle(result);
  }

  result(): Promise<ExecutionResult> {
    return this.settled;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExecutionEvent> {
    return {
      next: () => {
        const event = this.buffer.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
    };
  }
}
