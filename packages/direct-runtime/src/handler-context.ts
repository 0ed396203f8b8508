import {
  ExecutionError,
  frozenJsonCopy,
  ValidationError,
  type ArtifactInput,
  type ArtifactPayloadStore,
  type ArtifactRef,
  type Capability,
  type EventSpec,
  redactingLogger,
  type HandlerContext,
  type KnownSecrets,
  type Logger,
  type RuntimeContext,
} from '@integration/contracts';
import { createArtifactWriter } from './artifact-writer';
import type { AttemptSignal } from './attempt-signal';
import { connectorEvent } from './event-collector';
import type { DirectRuntimeLimits } from './runtime-options';

/**
 * The `ctx` a handler receives, for one attempt. One is made per attempt, so what most handlers
 * never touch (logger, artifact writer, frozen copies of the lease and policy) is built on first
 * use behind prototype getters. `emit` and `artifact` are bound per instance: handlers destructure
 * them (`async (input, { emit }) => …`).
 */
export class DirectHandlerContext implements HandlerContext {
  readonly runId: string;
  readonly attempt: number;
  readonly attemptId: string;
  readonly idempotencyKey: string | null;
  readonly tenantId: string | null;
  readonly actorId: string | null;
  readonly target: RuntimeContext['target'];
  readonly extensions: Record<string, unknown>;
  readonly clock: RuntimeContext['clock'];
  /** Connector events the handler emitted, already validated and redacted. */
  readonly events: EventSpec[] = [];
  /** Artifacts recorded while the attempt was open. */
  readonly artifacts: ArtifactRef[] = [];
  /** Artifact writes the handler may not have awaited. */
  readonly pending = new Set<Promise<unknown>>();
  private open = true;
  private frozenLease: RuntimeContext['lease'] | undefined;
  private frozenPolicy: RuntimeContext['executionPolicy'] | undefined;
  private handlerLogger: Logger | undefined;
  private writer: ReturnType<typeof createArtifactWriter> | undefined;

  constructor(
    private readonly capability: Capability,
    private readonly context: RuntimeContext,
    private readonly attemptSignal: AttemptSignal,
    private readonly secrets: KnownSecrets,
    private readonly limits: DirectRuntimeLimits,
    private readonly payloads: ArtifactPayloadStore | undefined,
  ) {
    this.runId = context.runId;
    this.attempt = context.attempt;
    this.attemptId = context.attemptId;
    this.idempotencyKey = context.idempotencyKey ?? null;
    this.tenantId = context.tenantId ?? null;
    this.actorId = context.actorId ?? null;
    this.target = context.target ?? null;
    this.extensions = context.extensions ?? {};
    this.clock = context.clock;
  }

  get lease(): RuntimeContext['lease'] {
    return (this.frozenLease ??= frozenJsonCopy(this.context.lease));
  }

  get executionPolicy(): RuntimeContext['executionPolicy'] {
    return (this.frozenPolicy ??= frozenJsonCopy(this.context.executionPolicy));
  }

  get signal(): AbortSignal {
    return this.attemptSignal.signal;
  }

  get logger(): Logger {
    return (this.handlerLogger ??= redactingLogger(this.context.logger, { secrets: this.secrets }).child({
      runId: this.runId,
      attemptId: this.attemptId,
      capabilityId: this.capability.id,
    }));
  }

  readonly emit = (event: EventSpec): void => {
    this.assertOpen('emit');
    if (this.events.length >= this.limits.maxEvents) {
      throw new ValidationError('payload_too_large', `attempt ${this.attemptId} may emit at most ${this.limits.maxEvents} events`, {
        details: { limit: this.limits.maxEvents },
      });
    }
    this.events.push(connectorEvent(event, this.secrets, this.limits));
  };

  readonly artifact = (input: ArtifactInput): Promise<ArtifactRef> => {
    try {
      this.assertOpen('artifact');
    } catch (error) {
      return Promise.reject(error);
    }
    const write = this.artifactWriter()
      .write(input)
      .then((ref) => {
        if (this.open) this.artifacts.push(ref);
        return ref;
      });
    // The handler may not await the write: observe its failure here so it is never unhandled.
    const tracked = write.then(
      () => undefined,
      (error: unknown) => {
        if (this.open) this.logger.warn({ code: (error as { code?: unknown })?.code ?? null, slug: input?.slug ?? null }, 'artifact write failed');
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return write;
  };

  /** After this, emit and artifact calls are refused and late artifact results are dropped. */
  close(): void {
    this.open = false;
  }

  private assertOpen(what: string): void {
    if (!this.open) throw new ExecutionError('runtime_failed', `attempt ${this.attemptId} has already finished; ${what} was ignored`);
  }

  private artifactWriter(): ReturnType<typeof createArtifactWriter> {
    return (this.writer ??= createArtifactWriter({
      connectorId: this.capability.connectorId,
      runId: this.runId,
      attemptId: this.attemptId,
      secrets: this.secrets,
      clock: this.clock,
      signal: this.attemptSignal.signal,
      store: this.payloads,
    }));
  }
}
