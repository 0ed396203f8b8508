import { resealEnvelope, runInputRecordId } from '@integration/contracts';
import type { ControlPlaneContext } from './context';

export interface RunInputRewrapReport {
  /** Sealed run inputs re-sealed under the active key. */
  runInputs: number;
  /** Runs whose sealed input can no longer be opened (its key already left the ring). */
  unsealable: string[];
}

const PAGE = 200;

/** Re-seals every sealed run input that is not under the active key, one run at a time. */
export async function rewrapRunInputs(ctx: ControlPlaneContext): Promise<RunInputRewrapReport> {
  const report: RunInputRewrapReport = { runInputs: 0, unsealable: [] };
  const sealer = ctx.sealer;
  if (!sealer) return report;
  for (let after: string | null = null; ; ) {
    const page = await ctx.stores.ledger.listSealedRuns(after, PAGE);
    for (const run of page) {
      const envelope = run.sealedInput;
      if (!envelope || (sealer.needsRewrap && !sealer.needsRewrap(envelope))) continue;
      const resealed = resealEnvelope(sealer, runInputRecordId(run.runId), envelope);
      if (resealed === null) {
        report.unsealable.push(run.runId);
        continue;
      }
      // Only the envelope changes: the store merges it into whatever the run is by now.
      await ctx.stores.ledger.updateRun(run.runId, { sealedInput: resealed });
      report.runInputs += 1;
    }
    if (page.length < PAGE) return report;
    after = page.at(-1)!.runId;
  }
}
