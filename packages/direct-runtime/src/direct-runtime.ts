import {
  ExecutionError,
  frozenJsonCopy,
  secretValuesOf,
  ValidationError,
  type ArtifactRef,
  type Capability,
  type EventSpec,
  type HandlerContext,
  type IntegrationError,
  type Runtime,
  type RuntimeContext,
  type RuntimeResult,
} from '@integration/contracts';
import { createArtifactWriter } from './artifact-writer';
import { attemptSignal } from './attempt-signal';
import { toAttemptError } from './error-mapping';
import { connectorEvent } from './event-collector';
import { redactingLogger } from './redacting-logger';
import { matchableSecrets } from './secret-scrub';
import { checkExecuteArguments } from './runtime-context';
import { resolveOptions, type DirectRuntimeOptions } from './runtime-options';

type Outcome = { ok: true; output: unknown } | { ok: false; error: IntegrationError };

/**
 * The `direct` runtime: one bounded handler call per attempt (DESIGN §9). Handler failures,
 * timeouts and cancellations come back as `{ status: 'failed' }` with the evidence gathered so far;
 * execute() only rejects for a malformed capability or context (`invalid_argument`).
 */
export function createDirectRuntime(options: DirectRuntimeOptions = {}): Runtime {
  const { artifactPayloads: payloads, limits } = resolveOptions(options);
  return {
    runtimeClass: 'direct',
    async execute(capability: Capability, input: unknown, context: RuntimeContext): Promise<RuntimeResult> {
      checkExecuteArguments(capability, context);
      const capabilityId = capability.id;
      const secrets = matchableSecrets(secretValuesOf(context.lease.payload));
      const events: EventSpec[] = [{ type: 'attempt.started', stream: 'system', level: 'info', payload: { capabilityId } }];
      const artifacts: ArtifactRef[] = [];
      const finish = (outcome: Outcome): RuntimeResult => {
        if (outcome.ok) {
          events.push({ type: 'attempt.completed', stream: 'system', level: 'info', payload: { capabilityId } });
          return { status: 'completed', output: outcome.output, events, artifacts, runtimeRefId: null };
        }
        const { error } = outcome;
        events.push({
          type: 'attempt.failed',
          stream: 'system',
          level: 'error',
          payload: { capabilityId, error: { code: error.code, message: error.message, retryable: error.retryable } },
        });
        return { status: 'failed', error, events, artifacts, runtimeRefId: null };
      };

      if (capability.runtimeClass !== 'direct') {
        return finish({
          ok: false,
          error: new ExecutionError('unsupported_runtime_class', `capability ${capabilityId} has runtime class ${capability.runtimeClass}; the direct runtime runs only direct capabilities`, {
            details: { capabilityId, runtimeClass: capability.runtimeClass },
          }),
        });
      }
      const handler = capability.handler;
      if (typeof handler !== 'function') {
        return finish({
          ok: false,
          error: new ExecutionError('runtime_failed', `capability ${capabilityId} has no handler to run`, {
            details: { capabilityId, reason: 'missing_handler' },
          }),
        });
      }

      const attempt = attemptSignal(context.signal, context.timeoutMs);
      if (attempt.reason) return finish({ ok: false, error: attempt.reason });

      let open = true;
      const assertOpen = (what: string) => {
        if (!open) throw new ExecutionError('runtime_failed', `attempt ${context.attemptId} has already finished; ${what} was ignored`);
      };
      // Built on first use: most handlers never log, and the wrapper is measurable on the hot path.
      let handlerLogger: ReturnType<typeof redactingLogger> | undefined;
      const logger = () =>
        (handlerLogger ??= redactingLogger(context.logger, secrets).child({ runId: context.runId, attemptId: context.attemptId, capabilityId }));
      let emitted = 0;
      // The writer, the pending set and the frozen copies are built on first use: many attempts
      // never record an artifact or read their policy, and this runs once per attempt.
      let writer: ReturnType<typeof createArtifactWriter> | undefined;
      const artifactWriter = () =>
        (writer ??= createArtifactWriter({
          connectorId: capability.connectorId,
          runId: context.runId,
          attemptId: context.attemptId,
          secrets,
          clock: context.clock,
          signal: attempt.signal,
          store: payloads,
        }));
      const pending = new Set<Promise<unknown>>();
      let frozenLease: RuntimeContext['lease'] | undefined;
      let frozenPolicy: RuntimeContext['executionPolicy'] | undefined;
      const handlerContext: HandlerContext = {
        get lease() {
          return (frozenLease ??= frozenJsonCopy(context.lease));
        },
        runId: context.runId,
        attempt: context.attempt,
        attemptId: context.attemptId,
        get signal() {
          return attempt.signal;
        },
        get logger() {
          return logger();
        },
        idempotencyKey: context.idempotencyKey ?? null,
        tenantId: context.tenantId ?? null,
        actorId: context.actorId ?? null,
        get executionPolicy() {
          return (frozenPolicy ??= frozenJsonCopy(context.executionPolicy));
        },
        target: context.target ?? null,
        extensions: context.extensions ?? {},
        clock: context.clock,
        emit(event) {
          assertOpen('emit');
          if (emitted >= limits.maxEvents) {
            throw new ValidationError('payload_too_large', `attempt ${context.attemptId} may emit at most ${limits.maxEvents} events`, {
              details: { limit: limits.maxEvents },
            });
          }
          events.push(connectorEvent(event, secrets, limits));
          emitted += 1;
        },
        artifact(artifactInput) {
          try {
            assertOpen('artifact');
          } catch (error) {
            return Promise.reject(error);
          }
          const write = artifactWriter().write(artifactInput).then((ref) => {
            if (open) artifacts.push(ref);
            return ref;
          });
          // The handler may not await the write: observe its failure here so it is never unhandled.
          const tracked = write.then(
            () => undefined,
            (error: unknown) => {
              if (open) logger().warn({ code: (error as { code?: unknown })?.code ?? null, slug: artifactInput?.slug ?? null }, 'artifact write failed');
            },
          );
          pending.add(tracked);
          void tracked.finally(() => pending.delete(tracked));
          return write;
        },
      };

      try {
        const run = (async () => handler(input, handlerContext))();
        const settled: Promise<Outcome> = run.then(
          (output) => ({ ok: true, output }),
          (thrown: unknown) => ({ ok: false, error: toAttemptError(thrown, secrets) }),
        );
        const cutOff = attempt.aborted.then((error): Outcome => ({ ok: false, error }));
        let outcome = await Promise.race([settled, cutOff]);
        // A handler that returned without awaiting its artifact() calls: wait for them (still bounded).
        if (outcome.ok && pending.size > 0) {
          const drained = Promise.allSettled([...pending]).then((): Outcome => outcome);
          outcome = await Promise.race([drained, cutOff]);
        }
        // Whatever the handler threw after the signal fired, the abort reason is the truth.
        if (!outcome.ok && attempt.reason) outcome = { ok: false, error: attempt.reason };
        return finish(outcome);
      } finally {
        open = false;
        attempt.dispose();
      }
    },
  };
}
