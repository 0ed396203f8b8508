import {
  ConflictError,
  declaredSecrets,
  frozenJsonCopy,
  integrationError,
  isErrorCode,
  isIntegrationError,
  newId,
  NEVER_ABORTED,
  parseAt,
  scrubError,
  secretValuesOf,
  InvocationRequestSchema,
  type Capability,
  type DeclaredView,
  type IntegrationError,
  type InvocationRequest,
  type Run,
  type RuntimeContext,
} from '@integration/contracts';
import { executableCapability, type ControlPlaneContext } from '../context';
import type { ResolvedBinding } from '../auth-binding';
import { admit } from './admission';
import { completeAttempt, type CompletedAttempt } from './complete-attempt';
import type { ExecutionRequest } from './execution-request';
import { persistRejection } from './persist-rejection';
import { recordedInput } from './recorded-input';
import { resolveBinding } from './resolve-binding';
import { runAttempt } from './run-attempt';
import { startAttempt } from './start-attempt';

export interface InvokeResult {
  run: Run;
  attempt: CompletedAttempt['attempt'];
  /** The handler's output, validated against the output schema and otherwise exactly as returned. */
  output: unknown;
}

/** The input of one execution: exact (what the handler receives) and its declared-secret view. */
export interface CallInput {
  exact: unknown;
  declared: DeclaredView<unknown>;
}

export const callInputOf = (capability: Capability, exact: unknown): CallInput => ({ exact, declared: declaredSecrets(capability.inputSchema, exact) });

export function executionRequestOf(request: InvocationRequest, signal?: AbortSignal): ExecutionRequest {
  return {
    actorId: request.actorId ?? null,
    tenantId: request.tenantId ?? null,
    environment: request.environment ?? null,
    traceId: request.traceId ?? null,
    allowedOperations: request.allowedOperations,
    sandbox: request.sandbox,
    pressure: request.pressure,
    aggregatorId: request.aggregatorId,
    aggregatorEpoch: request.aggregatorEpoch,
    timeoutMs: request.timeoutMs,
    extensions: request.extensions,
    idempotencyKey: request.idempotencyKey ?? null,
    signal,
  };
}

/** Steps 1–7 of DESIGN §5 for a new run. */
export async function invokePipeline(ctx: ControlPlaneContext, raw: unknown, signal?: AbortSignal): Promise<InvokeResult> {
  const request = parseAt(InvocationRequestSchema, raw, 'invalid invocation request');
  const capability = ctx.registry.fetchCapability(request.capabilityId);
  const input = parseAt(capability.inputSchema, request.input, `invalid input for ${capability.id}`, 'invalid_input');
  const binding = await resolveBinding(ctx, capability, request.connectionId);

  if (request.idempotencyKey) {
    const previous = await ctx.stores.ledger.findRunByIdempotencyKey(capability.id, request.idempotencyKey);
    if (previous) return replayIdempotent(ctx, previous);
  }

  const now = ctx.writer.now();
  // `input` is recorded once the call's secrets are known (after admission).
  const run: Run = {
    runId: newId('run'),
    capabilityId: capability.id,
    connectorId: capability.connectorId,
    runtimeClass: capability.runtimeClass,
    status: 'accepted',
    input: null,
    sealedInput: null,
    credentialRef: frozenJsonCopy(binding.credentialRef),
    targetId: request.targetId ?? null,
    tenantId: request.tenantId ?? binding.tenantId,
    actorId: request.actorId ?? null,
    traceId: request.traceId ?? null,
    idempotencyKey: request.idempotencyKey ?? null,
    result: null,
    error: null,
    policy: null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    return await execute(ctx, capability, callInputOf(capability, input), run, true, binding, executionRequestOf(request, signal));
  } catch (error) {
    // Two invokes raced on one idempotency key: the loser returns the winner's run.
    if (request.idempotencyKey && isIntegrationError(error) && error.code === 'duplicate_record' && !error.run) {
      const winner = await ctx.stores.ledger.findRunByIdempotencyKey(capability.id, request.idempotencyKey);
      if (winner) return replayIdempotent(ctx, winner);
    }
    throw error;
  }
}

/**
 * Admission, attempt, execution and completion for a run that is new or re-executed. Every error
 * leaving it is scrubbed of the call's secrets (lease payload, declared input fields) through its
 * whole cause chain.
 */
export async function execute(
  ctx: ControlPlaneContext,
  capability: Capability,
  call: CallInput,
  draft: Run,
  isNew: boolean,
  binding: ResolvedBinding,
  request: ExecutionRequest,
  options: { allowRunning?: boolean } = {},
): Promise<InvokeResult> {
  let writer = ctx.writer.withSecrets(call.declared.values);
  try {
    const admission = await admit(ctx, capability, binding, request, draft.targetId);
    if (admission.outcome === 'admitted') writer = writer.withSecrets(secretValuesOf(admission.lease.payload));
    // Frozen like every record the writer builds: the memory tier can keep it without a copy.
    const run: Run = isNew ? Object.freeze({ ...draft, ...recordedInput(writer, ctx.sealer, draft.runId, call.exact, call.declared.view) }) : draft;
    if (admission.outcome === 'rejected') {
      const stored = await persistRejection(ctx, writer, run, isNew, admission);
      throw admission.error.withRecords({ run: stored, policyDecision: admission.decision ?? undefined });
    }
    const started = await startAttempt(ctx, writer, run, isNew, admission.lease, request, options);
    const runtimeContext: RuntimeContext = {
      runId: run.runId,
      attempt: started.attempt.attempt,
      attemptId: started.attempt.attemptId,
      lease: admission.lease,
      credentialRef: binding.credentialRef,
      connectionId: binding.connectionId,
      tenantId: run.tenantId,
      actorId: request.actorId,
      traceId: request.traceId,
      idempotencyKey: request.idempotencyKey,
      executionPolicy: admission.decision.executionPolicy,
      target: admission.target,
      signal: request.signal ?? NEVER_ABORTED,
      timeoutMs: request.timeoutMs ?? capability.timeoutMs,
      logger: ctx.logger,
      clock: ctx.clock,
      extensions: request.extensions,
      secrets: writer.secrets,
    };
    const executable = executableCapability(ctx, capability);
    const result = await runAttempt(ctx, executable, call.exact, runtimeContext);
    const completed = await completeAttempt(ctx, writer, started.run, started.attempt, capability, result);
    if (completed.error) {
      throw completed.error.withRecords({ run: completed.run, attempt: completed.attempt, policyDecision: admission.decision });
    }
    return { run: completed.run, attempt: completed.attempt, output: completed.output };
  } catch (error) {
    throw scrubError(error, writer.secrets);
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

