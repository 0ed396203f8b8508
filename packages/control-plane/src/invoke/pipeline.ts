import {
  acceptedRun,
  ConflictError,
  frozenJsonCopy,
  integrationError,
  isErrorCode,
  isIntegrationError,
  newId,
  parseAt,
  InvocationRequestSchema,
  type IntegrationError,
  type Run,
} from '@integration/contracts';
import type { ControlPlaneContext } from '../context';
import { execute, type InvokeResult } from './execute-plan';
import { executionRequestOf } from './execution-request';
import { resolveBinding } from './resolve-binding';
import { callInputOf } from './run-plan';

export type { InvokeResult } from './execute-plan';

/** A new run: parse, bind the connection once, plan, execute (or replay an idempotent one). */
export async function invokePipeline(ctx: ControlPlaneContext, raw: unknown, signal?: AbortSignal): Promise<InvokeResult> {
  const request = parseAt(InvocationRequestSchema, raw, 'invalid invocation request');
  const capability = ctx.registry.fetchCapability(request.capabilityId);
  const input = parseAt(capability.inputSchema, request.input, `invalid input for ${capability.id}`, 'invalid_input');
  const binding = await resolveBinding(ctx, capability, request.connectionId);

  if (request.idempotencyKey) {
    const previous = await ctx.stores.ledger.findRunByIdempotencyKey(capability.id, request.idempotencyKey);
    if (previous) return replayIdempotent(ctx, previous);
  }

  const run = acceptedRun({
    runId: newId('run'),
    capabilityId: capability.id,
    connectorId: capability.connectorId,
    runtimeClass: capability.runtimeClass,
    credentialRef: frozenJsonCopy(binding.credentialRef),
    at: ctx.writer.now(),
    // Recorded once the call's secrets are known (after admission).
    input: null,
    targetId: request.targetId ?? null,
    tenantId: request.tenantId ?? binding.tenantId,
    actorId: request.actorId ?? null,
    traceId: request.traceId ?? null,
    idempotencyKey: request.idempotencyKey ?? null,
  });
  try {
    const executionRequest = executionRequestOf(
      request,
      { actorId: null, tenantId: null, traceId: null, idempotencyKey: request.idempotencyKey ?? null, allowedOperations: request.allowedOperations },
      signal,
    );
    return await execute(ctx, { capability, call: callInputOf(capability, input), run, isNew: true, binding, request: executionRequest, allowRunning: false });
  } catch (error) {
    // Two invokes raced on one idempotency key: the loser returns the winner's run.
    if (request.idempotencyKey && isIntegrationError(error) && error.code === 'duplicate_record' && !error.run) {
      const winner = await ctx.stores.ledger.findRunByIdempotencyKey(capability.id, request.idempotencyKey);
      if (winner) return replayIdempotent(ctx, winner);
    }
    throw error;
  }
}

/** A second invoke with the same idempotency key returns the first run instead of executing. */
async function replayIdempotent(ctx: ControlPlaneContext, run: Run): Promise<InvokeResult> {
  const attempts = await ctx.stores.ledger.listAttempts(run.runId);
  const attempt = attempts.at(-1);
  if (run.status === 'completed' && attempt) return { run, attempt, output: run.result };
  if (run.status === 'accepted' || run.status === 'running') {
    throw new ConflictError('duplicate_record', `run ${run.runId} with this idempotency key is still ${run.status}`, {
      details: { runId: run.runId, status: run.status },
      run,
      ...(attempt ? { attempt } : {}),
    });
  }
  throw errorFromRun(run).withRecords({ run, attempt });
}

function errorFromRun(run: Run): IntegrationError {
  const summary = run.error;
  const code = summary && isErrorCode(summary.code) ? summary.code : run.status === 'denied' ? 'policy_denied' : run.status === 'shed' ? 'policy_shed' : 'runtime_failed';
  return integrationError(code, summary?.message ?? `run ${run.runId} ${run.status}`, {
    details: summary?.details ?? {},
    retryable: summary?.retryable ?? false,
  });
}

