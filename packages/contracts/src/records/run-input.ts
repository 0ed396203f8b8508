import { integrationError } from '../errors/integration-error';
import type { SecretEnvelope, SecretSealer } from './auth';
import type { Run } from './run';

/** The AAD record id a run's exact input is sealed under (so an envelope cannot move between runs). */
export const runInputRecordId = (runId: string) => `run-input:${runId}`;

/** Seals the exact input of `runId`; without a sealer there is nowhere safe to keep it. */
export function sealRunInput(sealer: SecretSealer | null | undefined, runId: string, exact: unknown): SecretEnvelope {
  if (!sealer) {
    throw integrationError('key_configuration_missing', `the input of run ${runId} holds secrets and no key ring is configured to seal it for re-execution`, {
      details: { runId },
    });
  }
  return sealer.seal(runInputRecordId(runId), JSON.stringify(exact ?? null));
}

/** The input a run executes on: its sealed exact input when it has one, else the recorded one (which is exact). */
export function exactRunInput(run: Pick<Run, 'runId' | 'input' | 'sealedInput'>, sealer: SecretSealer | null | undefined): unknown {
  // Records written before sealed inputs existed have no such field: their input is what was stored.
  if (run.sealedInput == null) return run.input;
  if (!sealer) {
    throw integrationError('key_configuration_missing', `run ${run.runId} has a sealed input and no key ring is configured to open it`, { details: { runId: run.runId } });
  }
  return JSON.parse(sealer.open(runInputRecordId(run.runId), run.sealedInput)) as unknown;
}
