import { attemptIdFor, DEFAULT_AGGREGATOR_ID, restartRun, type Attempt, type Lease, type Run } from '@integration/contracts';
import type { ControlPlaneContext } from '../context';
import type { LedgerWriter } from '../ledger-writer';
import type { RunPlan } from './run-plan';

export interface StartedAttempt {
  run: Run;
  attempt: Attempt;
}

/**
 * Step 6: the run becomes `running`, attempt N is stored with `run.started` (seq 0), in one
 * transaction. For an existing run, N = highest attempt + 1, decided inside the transaction, where
 * any attempt left open by a vanished executor is closed as `lost`. A new run is stored with its
 * recorded input (`recorded`), in the one copy of the draft that becomes the running run.
 */
export async function startAttempt(
  ctx: ControlPlaneContext,
  writer: LedgerWriter,
  plan: RunPlan,
  lease: Lease,
  recorded: Pick<Run, 'input' | 'sealedInput'> | null,
): Promise<StartedAttempt> {
  const { run, request } = plan;
  const updatedAt = writer.now();
  const build = (attemptNumber: number) => {
    const attempt: Attempt = Object.freeze({
      attemptId: attemptIdFor(run.runId, attemptNumber),
      runId: run.runId,
      attempt: attemptNumber,
      status: 'running',
      runtimeClass: run.runtimeClass,
      aggregatorId: request.aggregatorId ?? DEFAULT_AGGREGATOR_ID,
      aggregatorEpoch: request.aggregatorEpoch ?? attemptNumber,
      credentialLeaseId: lease.leaseId,
      targetId: run.targetId,
      runtimeRefId: null,
      output: null,
      error: null,
      createdAt: updatedAt,
      updatedAt,
    });
    const events = writer.events(
      { runId: run.runId, attemptId: attempt.attemptId, attempt: attemptNumber, targetId: run.targetId, traceId: run.traceId },
      0,
      [{ type: 'run.started', payload: { capabilityId: run.capabilityId, attempt: attemptNumber } }],
    );
    return { attempt, events, fence: { aggregatorId: attempt.aggregatorId, aggregatorEpoch: attempt.aggregatorEpoch } };
  };

  if (plan.isNew) {
    // One store call (one round trip on Postgres): run, attempt 1 and run.started, atomically.
    const stored: Run = Object.freeze({ ...run, ...recorded, status: 'running', updatedAt });
    const { attempt, events, fence } = build(1);
    await ctx.stores.ledger.startAttempt({ run: stored, attempt, events, fence });
    return { run: stored, attempt };
  }

  return ctx.stores.transaction(async (tx) => {
    const restarted = await restartRun(tx, {
      runId: run.runId,
      allowRunning: plan.allowRunning,
      updatedAt,
      next: build,
      lostEvent: writer.lostEvent(run.traceId),
    });
    return { run: restarted.run, attempt: restarted.attempt };
  });
}
