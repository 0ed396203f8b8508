import { canonicalJson, type ArtifactPayloadStore, type RuntimeResult } from '@integration/contracts';
import { recordArtifact } from './artifacts';
import type { AttemptHooks, AttemptPlan } from './attempt-plan';
import type { AttemptRecord } from './attempt-record';
import type { ExecutionResult } from './driver';
import { asIntegrationError, runtimeError } from './errors';
import type { OpenSession } from './open-session';
import type { SessionPool } from './session-pool';

export function promptOf(capabilityId: string, input: unknown): string {
  const prompt = input && typeof input === 'object' ? (input as { prompt?: unknown }).prompt : undefined;
  if (typeof prompt === 'string' && prompt.trim().length > 0) return prompt;
  return `${capabilityId}: ${canonicalJson(input ?? null)}`;
}

/** One turn (or pull) of a session, for one attempt. */
export interface Turn {
  plan: AttemptPlan;
  hooks: AttemptHooks;
  record: AttemptRecord;
  pool: SessionPool;
  payloads: ArtifactPayloadStore;
  key: string;
  session: OpenSession;
  turn: number;
  lifecycle: 'started' | 'reused';
}

function announce({ plan, hooks, record, session, turn, lifecycle }: Turn): void {
  const { sessionId } = session;
  record.add({
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
}

/** The driver's turn, bounded by the capability's and the attempt's timeouts; a throw is a failed turn. */
async function driverTurn({ plan, session, turn }: Turn, cursor: string | null): Promise<ExecutionResult> {
  const { capability, context, input } = plan;
  const timeoutMs = Math.max(1, Math.min(capability.timeoutMs, context.timeoutMs > 0 ? context.timeoutMs : capability.timeoutMs));
  try {
    return await plan.driver.run(
      session.handle,
      {
        runId: context.runId,
        attemptId: context.attemptId,
        turn,
        prompt: promptOf(capability.id, input),
        input,
        cursor,
        lease: context.lease,
        secrets: plan.secrets,
        timeoutMs,
        context,
      },
      context.signal,
    );
  } catch (error) {
    return { status: 'failed', output: {}, events: [], error: asIntegrationError(error, 'session_failed') };
  }
}

/** The turn's event log and the driver's own artifacts, stored (redacted) and referenced. */
async function recordArtifacts({ plan, hooks, record, payloads, session, turn }: Turn, result: ExecutionResult): Promise<void> {
  const { capability, context, secrets } = plan;
  const slug = `${hooks.lifecycle === 'session' ? 'turn' : 'pull'}_${turn}.json`;
  const content = { sessionId: session.sessionId, turn, status: result.status, events: result.events };
  record.artifacts.push(await recordArtifact(payloads, context, capability.connectorId, { type: 'event_log', slug, content }, secrets));
  for (const extra of result.artifacts ?? []) record.artifacts.push(await recordArtifact(payloads, context, capability.connectorId, extra, secrets));
}

/** The closing events of a completed turn: the connector's own (`connector.<id>.<suffix>`), then `attempt.completed`. */
function closeCompleted({ plan, hooks, record, session, turn }: Turn): void {
  const { sessionId } = session;
  const suffix = typeof plan.options.completedEvent === 'string' ? plan.options.completedEvent : hooks.completedEvent;
  record.add({
    type: `connector.${plan.capability.connectorId}.${suffix}`,
    stream: hooks.lifecycle === 'session' ? 'assistant' : 'control',
    payload: { [`${hooks.lifecycle}Id`]: sessionId, turn },
    sessionId,
    runtimeRefId: sessionId,
  });
  record.add({
    type: 'attempt.completed',
    stream: 'control',
    payload: { capabilityId: plan.capability.id, driver: plan.driver.id, turn },
    sessionId,
    runtimeRefId: sessionId,
  });
}

/**
 * Runs one turn: announce the session, let the runtime class prepare (a stream's cursor), run the
 * driver, store the artifacts, then shape the output. A failed turn evicts its session; a
 * cancelled one leaves it intact.
 */
export async function runTurn(t: Turn): Promise<RuntimeResult> {
  const { plan, hooks, record, session, turn } = t;
  const { sessionId } = session;
  announce(t);
  let cursor: string | null = null;
  try {
    if (hooks.prepare) {
      const prepared = await hooks.prepare(plan, session);
      cursor = prepared.cursor;
      record.addDriverEvents(prepared.events, sessionId);
    }
  } catch (error) {
    return record.failed(asIntegrationError(error, 'runtime_failed'), sessionId);
  }
  const result = await driverTurn(t, cursor);
  record.addDriverEvents(result.events, sessionId);
  try {
    await recordArtifacts(t, result);
  } catch (error) {
    return record.failed(asIntegrationError(error, 'runtime_failed'), sessionId);
  }
  if (result.status !== 'completed') {
    if (result.status === 'failed') {
      plan.context.logger.debug({ capabilityId: plan.capability.id, sessionId, code: result.error?.code ?? null }, `${hooks.lifecycle} evicted after a failed turn`);
      await t.pool.evictFailed(t.key);
    }
    return record.failed(result.error ?? runtimeError('session_failed', `${hooks.lifecycle} turn ${result.status}`), sessionId);
  }
  let shaped: Awaited<ReturnType<AttemptHooks['complete']>>;
  try {
    shaped = await hooks.complete(plan, session, result, turn);
  } catch (error) {
    return record.failed(asIntegrationError(error, 'runtime_failed'), sessionId);
  }
  session.turns = turn;
  t.pool.touch(t.key);
  record.addDriverEvents(shaped.events, sessionId);
  closeCompleted(t);
  return record.completed(shaped.output, sessionId);
}
