import { sealRunInput, type Run, type SecretSealer } from '@integration/contracts';
import type { LedgerWriter } from '../ledger-writer';

/**
 * What a run records of its input: the view shown to people (declared-secret fields and known
 * secret values redacted) and, only when that view differs from the exact input, the exact input
 * sealed under the key ring, so that retries and replays run on the real values.
 */
export function recordedInput(
  writer: LedgerWriter,
  sealer: SecretSealer | null,
  runId: string,
  exact: unknown,
  declaredView: unknown,
): Pick<Run, 'input' | 'sealedInput'> {
  const input = writer.redact(declaredView);
  const holdsSecrets = declaredView !== exact || (!writer.secrets.isEmpty && writer.secrets.occursIn(JSON.stringify(exact ?? null)));
  return { input, sealedInput: holdsSecrets ? sealRunInput(sealer, runId, exact) : null };
}
