import { z } from 'zod';
import {
  attemptSecrets,
  canonicalHash,
  parseAt,
  canonicalJson,
  KeyedMutex,
  memoryArtifactPayloads,
  newId,
  redact,
  scrubError,
  systemClock,
  type ArtifactPayloadStore,
  type ArtifactRef,
  type Capability,
  type Clock,
  type EventSpec,
  type IntegrationError,
  type KnownSecrets,
  type RuntimeClass,
  type RuntimeContext,
  type RuntimeResult,
} from '@integration/contracts';
import { recordArtifact } from './artifacts';
import type { BoundaryAdapter } from './boundary/adapter';
import { createBoundaryBridge, parseDescriptor, type BoundaryBridge } from './boundary/bridge';
import { boundaryError } from './boundary/boundary-error';
import type { BoundarySessionDescriptor } from './boundary/descriptor';
import { localBoundaryAdapter } from './boundary/local-adapter';
import type { Driver, ExecutionEvent, ExecutionResult, SessionHandle } from './driver';
import { asIntegrationError, runtimeError } from './errors';
import { SessionCache, type EvictionReason, type SessionCacheOptions } from './session-cache';

export interface BoundaryOptions {
  adapter?: BoundaryAdapter;
  readinessTimeoutMs?: number;
  pollIntervalMs?: number;
}

export interface HarnessOptions {
  /** Drivers by id. The runtime's defaults are merged under these. */
  drivers?: Record<string, Driver>;
  cache?: SessionCacheOptions;
  clock?: Clock;
  /** Boundary for drivers that need a workspace (default: a local adapter); `false` disables it. */
  boundary?: BoundaryOptions | false;
  artifactPayloads?: ArtifactPayloadStore;
}

/** A cached session: the driver handle plus its boundary, if it has one. */
export interface OpenSession {
  key: string;
  sessionId: string;
  driver: Driver;
  handle: SessionHandle;
  provider: string | null;
  workspace: string | null;
  boundary: BoundarySessionDescriptor | null;
  /** Completed turns (or pulls). */
  turns: number;
  /** True while a turn runs. */
  busy: boolean;
}

export interface SessionInfo {
  key: string;
  sessionId: string;
  driverId: string;
  provider: string | null;
  turns: number;
  boundarySessionId: string | null;
  workingDirectory: string | null;
}

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

function toSpec(event: ExecutionEvent, sessionId: string | null): EventSpec {
  return {
    type: event.type,
    stream: event.stream ?? 'system',
    level: event.level ?? 'info',
    payload: event.payload ?? {},
    ...(sessionId ? { sessionId, runtimeRefId: sessionId } : {}),
  };
}

export function promptOf(capabilityId: string, input: unknown): string {
  const prompt = input && typeof input === 'object' ? (input as { prompt?: unknown }).prompt : undefined;
  if (typeof prompt === 'string' && prompt.trim().length > 0) return prompt;
  return `${capabilityId}: ${canonicalJson(input ?? null)}`;
}

/**
 * The shared session/stream harness: driver routing from the authored capability only, a session
 * cache keyed by (capability, connection, target, provider, workspace[, stream]), the boundary
 * for out-of-process drivers, and a RuntimeResult whose every string is redacted.
 */
const isDriver = (value: unknown): value is Driver =>
  !!value &&
  typeof value === 'object' &&
  typeof (value as Driver).id === 'string' &&
  (['start', 'run', 'stream', 'cancel', 'status', 'stop'] as const).every((m) => typeof (value as Driver)[m] === 'function');

const positiveInt = z.number().int().positive();
const HarnessOptionsSchema = z.looseObject({
  drivers: z.record(z.string(), z.custom<Driver>(isDriver, 'a driver needs id, start, run, stream, cancel, status and stop')).optional(),
  cache: z.strictObject({ ttlMs: positiveInt.optional(), maxSessions: positiveInt.optional() }).optional(),
  clock: z.custom<Clock>((v) => !!v && typeof (v as Clock).now === 'function', 'clock needs now()').optional(),
  boundary: z
    .union([
      z.literal(false),
      z.strictObject({
        adapter: z.custom<BoundaryAdapter>((v) => !!v && typeof v === 'object' && typeof (v as BoundaryAdapter).allocate === 'function', 'invalid boundary adapter').optional(),
        readinessTimeoutMs: positiveInt.optional(),
        pollIntervalMs: positiveInt.optional(),
      }),
    ])
    .optional(),
  artifactPayloads: z
    .custom<ArtifactPayloadStore>((v) => !!v && typeof (v as ArtifactPayloadStore).put === 'function' && typeof (v as ArtifactPayloadStore).name === 'string', 'invalid artifact payload store')
    .optional(),
});

export function createHarness(runtimeClass: RuntimeClass, defaults: Record<string, Driver>, rawOptions: HarnessOptions): Harness {
  const options = parseAt(HarnessOptionsSchema, rawOptions ?? {}, `create${runtimeClass === 'session' ? 'Session' : 'Stream'}Runtime: invalid options`) as HarnessOptions;
  const drivers: Record<string, Driver> = { ...defaults, ...options.drivers };
  const clock = options.clock ?? systemClock;
  const payloads = options.artifactPayloads ?? memoryArtifactPayloads();
  const boundaryOptions = options.boundary === false ? null : (options.boundary ?? {});
  const bridge = boundaryOptions
    ? createBoundaryBridge({ adapter: boundaryOptions.adapter ?? localBoundaryAdapter(), ...(boundaryOptions.pollIntervalMs ? { pollIntervalMs: boundaryOptions.pollIntervalMs } : {}) })
    : null;
  const locks = new KeyedMutex();

  const stopSession = async (session: OpenSession) => {
    try {
      await session.driver.stop(session.handle);
    } finally {
      if (session.boundary && bridge) await bridge.stop(session.boundary).catch(() => {});
    }
  };
  const cache = new SessionCache<OpenSession>(
    options.cache ?? {},
    clock,
    async (_key, session: OpenSession, _reason: EvictionReason) => {
      await stopSession(session);
    },
    (session) => session.busy,
  );

  const openBoundary = async (plan: AttemptPlan, sessionId: string): Promise<BoundarySessionDescriptor | null> => {
    if (!plan.driver.needsWorkspace || !bridge) return null;
    const { context } = plan;
    const boundarySessionId = `bnd_${sessionId}`;
    const refs = { correlationId: context.runId, requestId: context.attemptId };
    try {
      const sandbox = context.executionPolicy.sandbox;
      let descriptor = await bridge.allocate({
        boundarySessionId,
        backendKind: bridge.adapter.name,
        attach: { mode: 'attachable' },
        policyIntent: {
          sandboxLevel: sandbox.level,
          egress: sandbox.egress,
          approvals: sandbox.approvals,
          allowedTools: sandbox.allowedTools,
          fileScope: sandbox.fileScope,
        },
        // The per-attempt lease is deliberately not a ref: sessions outlive leases.
        refs: { targetId: context.target?.targetId ?? null, runtimeRef: sessionId, ...refs },
        readinessTimeoutMs: boundaryOptions?.readinessTimeoutMs ?? 5_000,
      });
      descriptor = parseDescriptor(descriptor, refs);
      descriptor = parseDescriptor(await bridge.claim(descriptor, { runtimeOwner: plan.driver.id, runtimeRef: sessionId }), refs);
      if (descriptor.status === 'failed') {
        throw boundaryError('resource_unavailable', { reason: 'boundary_failed', message: `boundary ${boundarySessionId} failed to start`, ...refs });
      }
      bridge.projectAttachMetadata(descriptor);
      return descriptor;
    } catch (error) {
      // Fail closed: whatever the kernel allocated is released before the error surfaces.
      await bridge.adapter.stop(boundarySessionId).catch(() => {});
      throw error;
    }
  };

  const openSession = async (plan: AttemptPlan, key: string): Promise<OpenSession> => {
    const sessionId = newId('sess', clock.now());
    const boundary = await openBoundary(plan, sessionId);
    const attach = boundary && bridge ? bridge.projectAttachMetadata(boundary) : null;
    try {
      const handle = await plan.driver.start({
        sessionId,
        capability: plan.capability,
        provider: plan.provider,
        options: plan.options,
        cwd: attach?.workingDirectory ?? null,
        env: attach?.executionSurface.environment ?? {},
        signal: plan.context.signal,
      });
      return { key, sessionId, driver: plan.driver, handle, provider: plan.provider, workspace: plan.workspace, boundary, turns: 0, busy: false };
    } catch (error) {
      if (boundary && bridge) await bridge.stop(boundary).catch(() => {});
      throw error;
    }
  };

  return {
    drivers,
    bridge,
    sessions() {
      return cache.keys().flatMap((key) => {
        const s = cache.peek(key);
        return s
          ? [
              {
                key,
                sessionId: s.sessionId,
                driverId: s.driver.id,
                provider: s.provider,
                turns: s.turns,
                boundarySessionId: s.boundary?.boundarySessionId ?? null,
                workingDirectory: s.boundary?.attach.workingDirectory ?? null,
              },
            ]
          : [];
      });
    },
    async evict(sessionId) {
      const key = cache.keys().find((k) => cache.peek(k)?.sessionId === sessionId);
      return key ? cache.evict(key, 'closed') : false;
    },
    reset: () => cache.clear('closed'),

    async execute(capability, input, context, hooks) {
      const secrets = attemptSecrets(context);
      const events: EventSpec[] = [];
      const artifacts: ArtifactRef[] = [];
      const routing = capability.runtime;
      events.push({
        type: 'attempt.started',
        stream: 'control',
        payload: { capabilityId: capability.id, runtimeClass, driver: routing?.driver ?? null, provider: routing?.provider ?? null },
      });
      const finish = (result: RuntimeResult): RuntimeResult => ({
        ...result,
        events: result.events.map((e) => redact(e, { secrets })),
        // The output goes back to the caller as the driver produced it; only observable copies are redacted.
        ...(result.status === 'completed' ? {} : { error: scrubError(result.error, secrets) }),
      });
      const fail = (error: IntegrationError, sessionId: string | null): RuntimeResult => {
        events.push({
          type: 'attempt.failed',
          stream: 'control',
          level: 'error',
          payload: { code: error.code, message: error.message, retryable: error.retryable, details: error.details },
          ...(sessionId ? { sessionId, runtimeRefId: sessionId } : {}),
        });
        return finish({ status: 'failed', error, events, artifacts, runtimeRefId: sessionId });
      };

      if (capability.runtimeClass !== runtimeClass) {
        return fail(runtimeError('unsupported_runtime_class', `the ${runtimeClass} runtime cannot run ${capability.runtimeClass} capability ${capability.id}`, { runtimeClass: capability.runtimeClass }), null);
      }
      if (!routing || typeof routing.driver !== 'string' || routing.driver.length === 0) {
        return fail(runtimeError('missing_runtime_driver', `capability ${capability.id} names no runtime driver`, { runtimeClass }), null);
      }
      const driver = Object.hasOwn(drivers, routing.driver) ? drivers[routing.driver] : undefined;
      if (!driver) {
        return fail(
          runtimeError('unknown_runtime_driver', `unknown runtime driver "${routing.driver}" for ${capability.id}`, { driver: routing.driver, drivers: Object.keys(drivers) }),
          null,
        );
      }
      const plan: AttemptPlan = {
        capability,
        input,
        context,
        driver,
        provider: routing.provider ?? null,
        options: routing.options ?? {},
        workspace: context.target?.location.workspaceRoot ?? context.executionPolicy.sandbox.fileScope ?? null,
        secrets,
      };
      const key = canonicalHash({
        runtimeClass,
        driver: driver.id,
        capabilityId: capability.id,
        connection: context.connectionId ?? context.credentialRef.id,
        target: context.target?.targetId ?? null,
        provider: plan.provider,
        workspace: plan.workspace,
        ...hooks.keyExtras(plan),
      });

      return locks.run(key, async () => {
        if (context.signal.aborted) {
          return fail(runtimeError('runtime_cancelled', `${capability.id} was cancelled before it started`, {}), null);
        }
        let session = await cache.get(key);
        let lifecycle: 'started' | 'reused' = 'reused';
        if (session?.boundary && bridge) {
          // A reused session proves its boundary is still alive; a dead one is replaced.
          try {
            session.boundary = await bridge.heartbeat(session.boundary);
            if (session.boundary.status === 'failed') throw new Error('boundary failed');
          } catch {
            await cache.evict(key, 'failed');
            session = undefined;
          }
        }
        if (!session) {
          try {
            session = await openSession(plan, key);
          } catch (error) {
            return fail(asIntegrationError(error, 'session_failed'), null);
          }
          await cache.set(key, session);
          lifecycle = 'started';
        }
        const sessionId = session.sessionId;
        const turn = session.turns + 1;
        context.logger.debug({ capabilityId: capability.id, sessionId, driver: driver.id, lifecycle, turn }, `${hooks.lifecycle} ${lifecycle}`);
        session.busy = true;
        try {
          return await runTurn(session, sessionId, turn, lifecycle);
        } finally {
          session.busy = false;
        }
      });

      async function runTurn(session: OpenSession, sessionId: string, turn: number, lifecycle: 'started' | 'reused'): Promise<RuntimeResult> {
        events.push({
          type: `${hooks.lifecycle}.${lifecycle}`,
          stream: 'control',
          payload: {
            [`${hooks.lifecycle}Id`]: sessionId,
            driver: plan.driver.id,
            provider: plan.provider,
            turn,
            ...(session.boundary ? { boundarySessionId: session.boundary.boundarySessionId } : {}),
          },
          sessionId,
          runtimeRefId: sessionId,
        });

        let cursor: string | null = null;
        try {
          if (hooks.prepare) {
            const prepared = await hooks.prepare(plan, session);
            cursor = prepared.cursor;
            for (const e of prepared.events ?? []) events.push(toSpec(e, sessionId));
          }
        } catch (error) {
          return fail(asIntegrationError(error, 'runtime_failed'), sessionId);
        }

        const timeoutMs = Math.max(1, Math.min(capability.timeoutMs, context.timeoutMs > 0 ? context.timeoutMs : capability.timeoutMs));
        let result: ExecutionResult;
        try {
          result = await plan.driver.run(
            session.handle,
            {
              runId: context.runId,
              attemptId: context.attemptId,
              turn,
              prompt: promptOf(capability.id, input),
              input,
              cursor,
              lease: context.lease,
              secrets,
              timeoutMs,
              context,
            },
            context.signal,
          );
        } catch (error) {
          result = { status: 'failed', output: {}, events: [], error: asIntegrationError(error, 'session_failed') };
        }
        for (const e of result.events) events.push(toSpec(e, sessionId));

        try {
          artifacts.push(
            await recordArtifact(
              payloads,
              context,
              capability.connectorId,
              { type: 'event_log', slug: `${hooks.lifecycle === 'session' ? 'turn' : 'pull'}_${turn}.json`, content: { sessionId, turn, status: result.status, events: result.events } },
              secrets,
            ),
          );
          for (const extra of result.artifacts ?? []) artifacts.push(await recordArtifact(payloads, context, capability.connectorId, extra, secrets));
        } catch (error) {
          return fail(asIntegrationError(error, 'runtime_failed'), sessionId);
        }

        if (result.status !== 'completed') {
          // A failed session is not reused; a cancelled turn leaves the session intact.
          if (result.status === 'failed') {
            context.logger.debug({ capabilityId: capability.id, sessionId, code: result.error?.code ?? null }, `${hooks.lifecycle} evicted after a failed turn`);
            await cache.evict(key, 'failed');
          }
          return fail(result.error ?? runtimeError('session_failed', `${hooks.lifecycle} turn ${result.status}`), sessionId);
        }
        let shaped: { output: Record<string, unknown>; events?: ExecutionEvent[] };
        try {
          shaped = await hooks.complete(plan, session, result, turn);
        } catch (error) {
          return fail(asIntegrationError(error, 'runtime_failed'), sessionId);
        }
        session.turns = turn;
        cache.touch(key);
        for (const e of shaped.events ?? []) events.push(toSpec(e, sessionId));
        const suffix = typeof plan.options.completedEvent === 'string' ? plan.options.completedEvent : hooks.completedEvent;
        events.push({
          type: `connector.${capability.connectorId}.${suffix}`,
          stream: hooks.lifecycle === 'session' ? 'assistant' : 'control',
          payload: { [`${hooks.lifecycle}Id`]: sessionId, turn },
          sessionId,
          runtimeRefId: sessionId,
        });
        events.push({
          type: 'attempt.completed',
          stream: 'control',
          payload: { capabilityId: capability.id, driver: plan.driver.id, turn },
          sessionId,
          runtimeRefId: sessionId,
        });
        return finish({ status: 'completed', output: shaped.output, events, artifacts, runtimeRefId: sessionId });
      }
    },
  };
}
