import { attemptIdFor, ConflictError, DEFAULT_AGGREGATOR_ID, type Attempt, type Lease, type Run } from '@integration/contracts';
import type { ControlPlaneContext } from '../context';
import type { LedgerWriter } from '../ledger-writer';
import type { ExecutionRequest } from './execution-request';

export interface StartedAttempt {
  run: Run;
  attempt: Attempt;
}

const executableStatuses = new Set<Run['status']>(['accepted', 'failed']);

/**
 * Step 6: the run becomes `running`, attempt N is stored with `run.started` (seq 0), in one
 * transaction. For an existing run, N = highest attempt + 1, decided inside the transaction.
 */
export async function startAttempt(
  ctx: ControlPlaneContext,
  writer: LedgerWriter,
  run: Run,
  isNew: boolean,
  lease: Lease,
  request: ExecutionRequest,
  options: { allowRunning?: boolean } = {},
): Promise<StartedAttempt> {
  return ctx.stores.transaction(async (tx) => {
    let attemptNumber = 1;
    let stored: Run;
    const updatedAt = writer.now();
    if (isNew) {
      stored = { ...run, status: 'running', updatedAt };
      await tx.ledger.putRun(stored);
    } else {
      const current = await tx.ledger.fetchRun(run.runId);
      if (!current) throw new ConflictError('run_not_executable', `run ${run.runId} disappeared`);
      if (!executableStatuses.has(current.status) && !(options.allowRunning && current.status === 'running')) {
        throw new ConflictError('run_not_executable', `run ${run.runId} is ${current.status}`, { details: { runId: run.runId, status: current.status } });
      }
      const attempts = await tx.ledger.listAttempts(run.runId);
      attemptNumber = (attempts.at(-1)?.attempt ?? 0) + 1;
      stored = await tx.ledger.updateRun(run.runId, { status: 'running', updatedAt });
    }
    const attempt: Attempt = {
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
    };
    await tx.ledger.putAttempt(attempt);
    const [started] = writer.events(
      { runId: run.runId, attemptId: attempt.attemptId, attempt: attemptNumber, targetId: run.targetId, traceId: run.traceId },
      0,
      [{ type: 'run.started', payload: { capabilityId: run.capabilityId, attempt: attemptNumber } }],
    );
    await tx.ledger.appendEvents([started!], { aggregatorId: attempt.aggregatorId, aggregatorEpoch: attempt.aggregatorEpoch });
    return { run: stored, attempt };
  });
}
