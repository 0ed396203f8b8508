import { attemptSecrets, isIntegrationError, systemClock, type Capability, type RuntimeClass, type RuntimeContext, type RuntimeResult } from '@integration/contracts';
import { memoryArtifactPayloads } from '@integration/store-memory';
import AsyncLock from 'async-lock';
import { planAttempt, sessionKeyOf, type AttemptHooks } from './attempt-plan';
import { AttemptRecord } from './attempt-record';
import { createBoundaryBridge, type BoundaryBridge } from './boundary/bridge';
import { localBoundaryAdapter } from './boundary/local-adapter';
import type { Driver } from './driver';
import { runtimeError } from './errors';
import { parseHarnessOptions, type HarnessOptions } from './harness-options';
import type { SessionInfo } from './open-session';
import { SessionPool } from './session-pool';
import { runTurn } from './turn';

export type { AttemptHooks, AttemptPlan } from './attempt-plan';
export type { BoundaryOptions, HarnessOptions } from './harness-options';
export type { OpenSession, SessionInfo } from './open-session';
export { promptOf } from './turn';

export interface Harness {
  execute(capability: Capability, input: unknown, context: RuntimeContext, hooks: AttemptHooks): Promise<RuntimeResult>;
  sessions(): SessionInfo[];
  /** Stops and forgets one session (by session id). */
  evict(sessionId: string): Promise<boolean>;
  /** Stops every session. */
  reset(): Promise<void>;
  readonly drivers: Readonly<Record<string, Driver>>;
  readonly bridge: BoundaryBridge | null;
}

/**
 * The shared session/stream harness: driver routing from the authored capability only, a session
 * cache keyed by (capability, connection, target, provider, workspace[, stream]), the boundary
 * for out-of-process drivers, and a RuntimeResult whose every string is redacted.
 */
export function createHarness(runtimeClass: RuntimeClass, defaults: Record<string, Driver>, rawOptions: HarnessOptions): Harness {
  const options = parseHarnessOptions(runtimeClass, rawOptions);
  const drivers: Record<string, Driver> = { ...defaults, ...options.drivers };
  const clock = options.clock ?? systemClock;
  const payloads = options.artifactPayloads ?? memoryArtifactPayloads();
  const boundaryOptions = options.boundary === false ? null : (options.boundary ?? {});
  const bridge = boundaryOptions
    ? createBoundaryBridge({ adapter: boundaryOptions.adapter ?? localBoundaryAdapter(), ...(boundaryOptions.pollIntervalMs ? { pollIntervalMs: boundaryOptions.pollIntervalMs } : {}) })
    : null;
  const pool = new SessionPool({ cache: options.cache ?? {}, clock, bridge, readinessTimeoutMs: boundaryOptions?.readinessTimeoutMs ?? 5_000 });
  const locks = new AsyncLock({ maxPending: Infinity });

  async function execute(capability: Capability, input: unknown, context: RuntimeContext, hooks: AttemptHooks): Promise<RuntimeResult> {
    const secrets = attemptSecrets(context);
    const record = new AttemptRecord(secrets);
    const routing = capability.runtime;
    record.add({
      type: 'attempt.started',
      stream: 'control',
      payload: { capabilityId: capability.id, runtimeClass, driver: routing?.driver ?? null, provider: routing?.provider ?? null },
    });
    const plan = planAttempt(runtimeClass, drivers, { capability, input, context, secrets });
    if (isIntegrationError(plan)) return record.failed(plan, null);
    const key = sessionKeyOf(runtimeClass, plan, hooks);

    return locks.acquire(key, async () => {
      if (context.signal.aborted) return record.failed(runtimeError('runtime_cancelled', `${capability.id} was cancelled before it started`, {}), null);
      const acquired = await pool.acquire(plan, key);
      if ('failure' in acquired) return record.failed(acquired.failure, null);
      const { session, lifecycle } = acquired;
      const turn = session.turns + 1;
      context.logger.debug({ capabilityId: capability.id, sessionId: session.sessionId, driver: plan.driver.id, lifecycle, turn }, `${hooks.lifecycle} ${lifecycle}`);
      session.busy = true;
      try {
        return await runTurn({ plan, hooks, record, pool, payloads, key, session, turn, lifecycle });
      } finally {
        session.busy = false;
      }
    });
  }

  return {
    drivers,
    bridge,
    execute,
    sessions: () => pool.list(),
    evict: (sessionId) => pool.close(sessionId),
    reset: () => pool.closeAll(),
  };
}
