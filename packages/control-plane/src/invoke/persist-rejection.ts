import { closeOpenAttempts, type Run } from '@integration/contracts';
import type { ControlPlaneContext } from '../context';
import type { LedgerWriter } from '../ledger-writer';
import type { Rejection } from './admission';

/**
 * A run that ends before a (new) attempt starts: its final status and run-level events in one
 * transaction. An existing run's attempts left open by a vanished executor are closed as `lost`.
 */
export async function persistRejection(
  ctx: ControlPlaneContext,
  writer: LedgerWriter,
  run: Run,
  isNew: boolean,
  admission: Rejection,
): Promise<Run> {
  const updatedAt = writer.now();
  const patch = {
    status: admission.runStatus,
    error: writer.errorSummary(admission.error),
    policy: admission.policySnapshot ? writer.redact(admission.policySnapshot) : null,
    updatedAt,
  };
  return ctx.stores.transaction(async (tx) => {
    const firstSeq = isNew ? 0 : await tx.ledger.nextSeq(run.runId, null);
    const events = writer.events(
      { runId: run.runId, attemptId: null, attempt: null, targetId: run.targetId, traceId: run.traceId },
      firstSeq,
      admission.events,
    );
    let stored: Run;
    if (isNew) {
      stored = { ...run, ...patch };
      await tx.ledger.putRun(stored);
    } else {
      const attempts = await tx.ledger.listAttempts(run.runId);
      await closeOpenAttempts(tx, { runId: run.runId, attempts, supersededBy: null, updatedAt, lostEvent: writer.lostEvent(run.traceId) });
      stored = await tx.ledger.updateRun(run.runId, patch);
    }
    await tx.ledger.appendEvents(events);
    return stored;
  });
}
