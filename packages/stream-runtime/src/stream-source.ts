import type { ArtifactInput } from '@integration/contracts';
import type { ExecutionEvent, RunRequest, SessionType } from '@integration/session-runtime';

export interface PullRequest<I = unknown> {
  input: I;
  /** The durable cursor of the last committed pull; null on the first. */
  cursor: string | null;
  signal: AbortSignal;
  emit(event: ExecutionEvent): void;
  /** The full run request (lease, attempt ids) for sources that need it. */
  request: RunRequest;
}

export interface PullResult {
  output: Record<string, unknown>;
  /** The cursor after this batch; it is checkpointed once the pull succeeds. */
  cursor: string;
  artifacts?: ArtifactInput[];
}

/** A stream implemented in TypeScript: each pull returns the next batch after a cursor. */
export interface StreamSource<I = unknown> {
  pull(request: PullRequest<I>): Promise<PullResult>;
  /** Called once when the stream session closes. */
  close?(): Promise<void> | void;
}

export function isStreamSource(value: unknown): value is StreamSource {
  return !!value && typeof value === 'object' && typeof (value as StreamSource).pull === 'function';
}

/** Adapts a StreamSource to the in-process session kernel: one turn = one pull. */
export function streamSessionType(source: StreamSource): SessionType<null> {
  return {
    async turn(_state, request, ctx) {
      const result = await source.pull({ input: request.input, cursor: request.cursor, signal: ctx.signal, emit: ctx.emit, request });
      if (typeof result?.cursor !== 'string') throw new TypeError('a stream source must return a string cursor');
      return { output: result.output, checkpoint: result.cursor, ...(result.artifacts ? { artifacts: result.artifacts } : {}) };
    },
    async stop() {
      await source.close?.();
    },
  };
}
