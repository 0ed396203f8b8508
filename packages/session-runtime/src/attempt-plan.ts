import { canonicalHash, type Capability, type IntegrationError, type KnownSecrets, type RuntimeClass, type RuntimeContext } from '@integration/contracts';
import type { Driver, ExecutionEvent, ExecutionResult } from './driver';
import { runtimeError } from './errors';
import type { OpenSession } from './open-session';

export interface AttemptPlan {
  capability: Capability;
  input: unknown;
  context: RuntimeContext;
  driver: Driver;
  provider: string | null;
  options: Record<string, unknown>;
  workspace: string | null;
  secrets: KnownSecrets;
}

/** What a runtime class adds to the shared harness flow. */
export interface AttemptHooks {
  /** `session` or `stream`: names the lifecycle events (`session.started`, `stream.reused`, …). */
  lifecycle: 'session' | 'stream';
  /** Extra reuse-key material (a stream's key). Never per-attempt values such as the lease. */
  keyExtras(plan: AttemptPlan): Record<string, unknown>;
  /** Runs inside the session lock before the turn; returns the cursor to read after. */
  prepare?(plan: AttemptPlan, session: OpenSession): Promise<{ cursor: string | null; events?: ExecutionEvent[] }>;
  /** Shapes the output of a completed turn (and commits checkpoints); may add events. */
  complete(plan: AttemptPlan, session: OpenSession, result: ExecutionResult, turn: number): Promise<{ output: Record<string, unknown>; events?: ExecutionEvent[] }>;
  /** Default connector event suffix, e.g. `turn.completed`. */
  completedEvent: string;
}

/**
 * Routes an attempt to its driver from the authored capability only (`runtime.driver`), or says
 * why it cannot run here.
 */
export function planAttempt(
  runtimeClass: RuntimeClass,
  drivers: Readonly<Record<string, Driver>>,
  attempt: { capability: Capability; input: unknown; context: RuntimeContext; secrets: KnownSecrets },
): AttemptPlan | IntegrationError {
  const { capability, context } = attempt;
  const routing = capability.runtime;
  if (capability.runtimeClass !== runtimeClass) {
    return runtimeError('unsupported_runtime_class', `the ${runtimeClass} runtime cannot run ${capability.runtimeClass} capability ${capability.id}`, { runtimeClass: capability.runtimeClass });
  }
  if (!routing || typeof routing.driver !== 'string' || routing.driver.length === 0) {
    return runtimeError('missing_runtime_driver', `capability ${capability.id} names no runtime driver`, { runtimeClass });
  }
  const driver = Object.hasOwn(drivers, routing.driver) ? drivers[routing.driver] : undefined;
  if (!driver) {
    return runtimeError('unknown_runtime_driver', `unknown runtime driver "${routing.driver}" for ${capability.id}`, { driver: routing.driver, drivers: Object.keys(drivers) });
  }
  return {
    ...attempt,
    driver,
    provider: routing.provider ?? null,
    options: routing.options ?? {},
    workspace: context.target?.location.workspaceRoot ?? context.executionPolicy.sandbox.fileScope ?? null,
  };
}

/** The reuse key of a session: (class, driver, capability, connection, target, provider, workspace[, hook extras]). */
export function sessionKeyOf(runtimeClass: RuntimeClass, plan: AttemptPlan, hooks: AttemptHooks): string {
  const { context } = plan;
  return canonicalHash({
    runtimeClass,
    driver: plan.driver.id,
    capabilityId: plan.capability.id,
    connection: context.connectionId ?? context.credentialRef.id,
    target: context.target?.targetId ?? null,
    provider: plan.provider,
    workspace: plan.workspace,
    ...hooks.keyExtras(plan),
  });
}
