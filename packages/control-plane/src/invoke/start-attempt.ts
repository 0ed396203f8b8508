import { attemptIdFor, DEFAULT_AGGREGATOR_ID, restartRun, type Attempt, type Lease, type Run } from '@integration/contracts';
import type { ControlPlaneContext } from '../context';
import type { LedgerWriter } from '../ledger-writer';
import type { ExecutionRequest } from './execution-request';

export interface StartedAttempt {
  run: Run;
  attempt: Attempt;
}

/**
 * Step 6: the run becomes `running`, attempt N is stored with `run.started` (seq 0), in one
 * transaction. For an existing run, N = highest attempt + 1, decided inside the transaction, where
 * any attempt left open by a vanished executor is closed as `lost`.
 */
export async function startAttempt(
  ctx: ControlPlaneContext,
  writer: LedgerWriter,
  run: Run,
  isNew: boolean,
  lease: Lease,
  request: ExecutionRequest,
  allowRunning: boolean,
): Promise<StartedAttempt> {
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

  if (isNew) {
    // One store call (one round trip on Postgres): run, attempt 1 and run.started, atomically.
    const stored: Run = Object.freeze({ ...run, status: 'running', updatedAt });
    const { attempt, events, fence } = build(1);
    await ctx.stores.ledger.startAttempt({ run: stored, attempt, events, fence });
    return { run: stored, attempt };
  }

  return ctx.stores.transaction(async (tx) => {
    const restarted = await restartRun(tx, {
      runId: run.runId,
      allowRunning,
      updatedAt,
      next: build,
      lostEvent: writer.lostEvent(run.traceId),
    });
    return { run: restarted.run, attempt: restarted.attempt };
  });
}
