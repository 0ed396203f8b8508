import {
  attemptSecrets,
  ExecutionError,
  type Capability,
  type EventSpec,
  type IntegrationError,
  type Runtime,
  type RuntimeContext,
  type RuntimeResult,
} from '@integration/contracts';
import { attemptSignal } from './attempt-signal';
import { toAttemptError } from './error-mapping';
import { DirectHandlerContext } from './handler-context';
import { checkExecuteArguments } from './runtime-context';
import { resolveOptions, type DirectRuntimeOptions } from './runtime-options';

type Outcome = { ok: true; output: unknown } | { ok: false; error: IntegrationError };

/**
 * The `direct` runtime: one bounded handler call per attempt. Handler failures,
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
      const secrets = attemptSecrets(context);
      const started: EventSpec = { type: 'attempt.started', stream: 'system', level: 'info', payload: { capabilityId } };
      const finish = (outcome: Outcome, handlerContext?: DirectHandlerContext): RuntimeResult => {
        const events = handlerContext ? [started, ...handlerContext.events] : [started];
        const artifacts = handlerContext ? handlerContext.artifacts : [];
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
      const handlerContext = new DirectHandlerContext(capability, context, attempt, secrets, limits, payloads);

      try {
        const run = (async () => handler(input, handlerContext))();
        const settled: Promise<Outcome> = run.then(
          (output) => ({ ok: true, output }),
          (thrown: unknown) => ({ ok: false, error: toAttemptError(thrown, secrets) }),
        );
        const cutOff = attempt.aborted.then((error): Outcome => ({ ok: false, error }));
        let outcome = await Promise.race([settled, cutOff]);
        // A handler that returned without awaiting its artifact() calls: wait for them (still bounded).
        if (outcome.ok && handlerContext.pending.size > 0) {
          const drained = Promise.allSettled([...handlerContext.pending]).then((): Outcome => outcome);
          outcome = await Promise.race([drained, cutOff]);
        }
        // Whatever the handler threw after the signal fired, the abort reason is the truth.
        if (!outcome.ok && attempt.reason) outcome = { ok: false, error: attempt.reason };
        return finish(outcome, handlerContext);
      } finally {
        handlerContext.close();
        attempt.dispose();
      }
    },
  };
}
