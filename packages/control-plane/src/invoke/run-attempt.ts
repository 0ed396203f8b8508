import { ExecutionError, isIntegrationError, type Capability, type IntegrationError, type RuntimeContext, type RuntimeResult } from '@integration/contracts';
import type { ControlPlaneContext } from '../context';

function failed(error: IntegrationError, capabilityId: string): RuntimeResult {
  return {
    status: 'failed',
    error,
    runtimeRefId: null,
    artifacts: [],
    events: [
      { type: 'attempt.started', payload: { capabilityId } },
      { type: 'attempt.failed', level: 'error', payload: { capabilityId, error: { code: error.code, message: error.message, retryable: error.retryable } } },
    ],
  };
}

/** The runtime router: picks the runtime injected for the capability's class. */
export async function runAttempt(ctx: ControlPlaneContext, capability: Capability, input: unknown, context: RuntimeContext): Promise<RuntimeResult> {
  const runtime = ctx.runtimes[capability.runtimeClass];
  if (!runtime) {
    return failed(
      new ExecutionError('unsupported_runtime_class', `no ${capability.runtimeClass} runtime is configured`, {
        details: { runtimeClass: capability.runtimeClass },
      }),
      capability.id,
    );
  }
  try {
    return await runtime.execute(capability, input, context);
  } catch (error) {
    // A runtime must report failures as results; a throw is a runtime bug, kept as evidence.
    const wrapped = isIntegrationError(error)
      ? error
      : new ExecutionError('runtime_failed', `the ${capability.runtimeClass} runtime threw: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
    return failed(wrapped, capability.id);
  }
}
