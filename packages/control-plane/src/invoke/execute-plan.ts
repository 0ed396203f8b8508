import { NEVER_ABORTED, scrubError, secretValuesOf, type Run, type RuntimeContext } from '@integration/contracts';
import { executableCapability, type ControlPlaneContext } from '../context';
import { admit } from './admission';
import { completeAttempt, type CompletedAttempt } from './complete-attempt';
import { persistRejection } from './persist-rejection';
import { recordedInput } from './recorded-input';
import type { RunPlan } from './run-plan';
import { runAttempt } from './run-attempt';
import { startAttempt } from './start-attempt';

export interface InvokeResult {
  run: Run;
  attempt: CompletedAttempt['attempt'];
  /** The handler's output, validated against the output schema and otherwise exactly as returned. */
  output: unknown;
}

/**
 * Admission, attempt, execution and completion of one plan. Every error leaving it is scrubbed of
 * the call's secrets (lease payload, declared input fields) through its whole cause chain.
 */
export async function execute(ctx: ControlPlaneContext, plan: RunPlan): Promise<InvokeResult> {
  const { capability, call, binding, request } = plan;
  let writer = ctx.writer.withSecrets(call.declared.values);
  try {
    const admission = await admit(ctx, capability, binding, request, plan.run.targetId);
    if (admission.outcome === 'admitted') writer = writer.withSecrets(secretValuesOf(admission.lease.payload));
    const recorded = plan.isNew ? recordedInput(writer, ctx.sealer, plan.run.runId, call.exact, call.declared.view) : null;
    if (admission.outcome === 'rejected') {
      // Frozen like every record the writer builds: the memory tier can keep it without a copy.
      const run: Run = recorded ? Object.freeze({ ...plan.run, ...recorded }) : plan.run;
      const stored = await persistRejection(ctx, writer, run, plan.isNew, admission);
      throw admission.error.withRecords({ run: stored, policyDecision: admission.decision ?? undefined });
    }
    const started = await startAttempt(ctx, writer, plan, admission.lease, recorded);
    const { run } = started;
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
    const result = await runAttempt(ctx, executableCapability(ctx, capability), call.exact, runtimeContext);
    const completed = await completeAttempt(ctx, writer, started.run, started.attempt, capability, result);
    if (completed.error) {
      throw completed.error.withRecords({ run: completed.run, attempt: completed.attempt, policyDecision: admission.decision });
    }
    return { run: completed.run, attempt: completed.attempt, output: completed.output };
  } catch (error) {
    throw scrubError(error, writer.secrets);
  }
}
