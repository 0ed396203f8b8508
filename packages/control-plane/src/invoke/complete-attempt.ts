import {
  ConflictError,
  declaredSecrets,
  ValidationError,
  issuesOf,
  type Attempt,
  type Capability,
  type EventSpec,
  type IntegrationError,
  type Run,
  type RuntimeResult,
} from '@integration/contracts';
import type { ControlPlaneContext } from '../context';
import type { LedgerWriter } from '../ledger-writer';

export interface CompletedAttempt {
  run: Run;
  attempt: Attempt;
  output: unknown;
  error: IntegrationError | null;
}

/** Output is checked against the capability's schema; a mismatch fails the attempt. */
function checkOutput(capability: Capability, result: RuntimeResult): RuntimeResult {
  if (result.status !== 'completed' || !capability.outputSchema) return result;
  const parsed = capability.outputSchema.safeParse(result.output);
  if (parsed.success) return { ...result, output: parsed.data };
  const issues = issuesOf(parsed.error);
  const error = new ValidationError('invalid_output', `${capability.id} returned output that does not match its schema`, { details: { issues } });
  const events = result.events.map((e): EventSpec =>
    e.type === 'attempt.completed'
      ? { ...e, type: 'attempt.failed', level: 'error', payload: { ...(e.payload ?? {}), error: { code: error.code, message: error.message } } }
      : e,
  );
  return { status: 'failed', error, events, artifacts: result.artifacts, runtimeRefId: result.runtimeRefId };
}

/**
 * Step 7, one transaction (one `completeAttempt` store call): artifacts, runtime events, `artifact.recorded` per artifact, attempt and
 * run status, `run.completed|run.failed`. If a newer attempt superseded this one (a recovered
 * delivery), only the attempt's own evidence is written and the run is left to the newer attempt.
 */
export async function completeAttempt(
  ctx: ControlPlaneContext,
  callWriter: LedgerWriter,
  run: Run,
  attempt: Attempt,
  capability: Capability,
  raw: RuntimeResult,
): Promise<CompletedAttempt> {
  const result = checkOutput(capability, raw);
  // The caller gets the validated output as is; the ledger keeps a view without its secrets.
  const output = result.status === 'completed' ? (result.output ?? null) : null;
  const declared = declaredSecrets(capability.outputSchema, output);
  const writer = callWriter.withSecrets(declared.values);
  const recordedOutput = result.status === 'completed' ? writer.redact(declared.view) : null;
  const error = result.status === 'failed' ? result.error : null;
  const position = {
    runId: run.runId,
    attemptId: attempt.attemptId,
    attempt: attempt.attempt,
    targetId: attempt.targetId,
    traceId: run.traceId,
    runtimeRefId: result.runtimeRefId,
  };
  const recorded: EventSpec[] = result.artifacts.map((a) => ({
    type: 'artifact.recorded',
    stream: 'control',
    payload: { artifactId: a.artifactId, artifactType: a.artifactType, retentionClass: a.retentionClass, payloadRef: a.payloadRef },
    payloadRef: a.payloadRef,
  }));
  const closing: EventSpec = error
    ? { type: 'run.failed', level: 'error', payload: { error: { code: error.code, message: error.message } } }
    : { type: 'run.completed', payload: { capabilityId: run.capabilityId } };
  const events = writer.events(position, 1, [...result.events, ...recorded, closing]);
  const fence = { aggregatorId: attempt.aggregatorId, aggregatorEpoch: attempt.aggregatorEpoch };
  const updatedAt = writer.now();
  const errorSummary = error ? writer.errorSummary(error) : null;

  const attemptPatch = { status: error ? 'failed' : 'completed', output: recordedOutput, error: errorSummary, runtimeRefId: result.runtimeRefId, updatedAt } as const;
  const runPatch = { status: error ? 'failed' : 'completed', result: recordedOutput, error: errorSummary, updatedAt } as const;

  // The usual case in one store call (one transaction): this attempt is still the newest.
  const written = await ctx.stores.ledger.completeAttempt({
    runId: run.runId,
    attemptId: attempt.attemptId,
    expectLatestAttempt: attempt.attempt,
    artifacts: result.artifacts,
    events,
    fence,
    attemptPatch,
    runPatch,
    current: { run, attempt },
  });
  if (written.applied) return { run: written.run, attempt: written.attempt, output, error };

  // Superseded by a newer attempt (a recovered delivery): only this attempt's own evidence.
  const outcome = await ctx.stores.transaction(async (tx) => {
    const attempts = await tx.ledger.listAttempts(run.runId);
    const newest = attempts.at(-1)?.attempt ?? attempt.attempt;
    const superseded = newest > attempt.attempt;
    for (const artifact of result.artifacts) await tx.ledger.putArtifact(artifact);
    await tx.ledger.appendEvents(superseded ? events.slice(0, -1) : events, fence);
    const storedAttempt = await tx.ledger.updateAttempt(
      attempt.attemptId,
      superseded
        ? { status: 'lost', error: { code: 'lock_lost', message: `superseded by attempt ${newest}`, retryable: false, details: {} }, runtimeRefId: result.runtimeRefId, updatedAt }
        : attemptPatch,
      fence,
    );
    if (superseded) return { supersededBy: newest, attempt: storedAttempt };
    const storedRun = await tx.ledger.updateRun(run.runId, runPatch);
    return { supersededBy: null, completed: { run: storedRun, attempt: storedAttempt, output, error } };
  });
  if (outcome.supersededBy !== null || !('completed' in outcome)) {
    throw new ConflictError('lock_lost', `attempt ${attempt.attemptId} was superseded by attempt ${outcome.supersededBy}`, {
      details: { attemptId: attempt.attemptId, supersededBy: outcome.supersededBy },
      attempt: outcome.attempt,
    });
  }
  return outcome.completed!;
}
