import {
  acceptedRun,
  ANONYMOUS_CREDENTIAL_REF,
  eventRecord,
  IntegrationError,
  isoAt,
  newId,
  sealRunInput,
  type DedupeScope,
  type Run,
  type SecretSealer,
  type StoreSet,
  type TriggerCheckpoint,
  type TriggerRecord,
} from '@integration/contracts';
import { resolveTriggerCapability, type CapabilityResolver } from './admission-checks';
import { dedupeKeyFor } from './dedupe';
import type { IngressDefinition } from './definition';
import { asIntegrationError } from './rejection';
import type { Draft } from './requests';
import { acceptedTrigger, recordedView } from './trigger-records';

export interface Admission {
  status: 'accepted' | 'duplicate';
  trigger: TriggerRecord;
  run: Run;
  checkpoint: TriggerCheckpoint | null;
}

export interface AdmitOptions {
  /**
   * Runs inside the admission transaction after the trigger is admitted (accepted or duplicate),
   * e.g. to enqueue its dispatch job so that admission and enqueue commit together.
   */
  within?: (tx: StoreSet, admission: Admission) => Promise<void>;
}

/** Marks an error thrown by `AdmitOptions.within`, so it is not recorded as a rejection. */
export class WithinFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('admission within() failed');
  }
}

export interface AdmitContext {
  capabilities: CapabilityResolver;
  sealer: SecretSealer | null | undefined;
  /** A store transaction (grouped with concurrent admissions where that is on). */
  transaction<T>(body: (tx: StoreSet) => Promise<T>): Promise<T>;
}

export type CheckpointInput = Omit<TriggerCheckpoint, 'revision' | 'updatedAt'>;

/** What one admission writes if it is new: all of it built before the transaction opens. */
interface Prepared {
  trigger: TriggerRecord;
  run: Run;
  scope: DedupeScope;
  at: string;
  expiresAt: string;
}

async function prepare(ctx: AdmitContext, definition: IngressDefinition, draft: Draft, payload: unknown): Promise<Prepared> {
  let dedupeKey: string;
  try {
    dedupeKey = dedupeKeyFor(draft.externalId, payload);
  } catch (error) {
    throw asIntegrationError(error, 'invalid_trigger', 'payload has no JSON representation');
  }
  const capability = await resolveTriggerCapability(ctx.capabilities, definition);
  const view = recordedView(definition, capability.inputSchema, payload);
  const trigger = acceptedTrigger(definition, draft, dedupeKey, view);
  const runId = newId('run', draft.now);
  const at = isoAt(draft.now);
  const run = acceptedRun({
    runId,
    capabilityId: capability.id,
    connectorId: definition.connectorId,
    runtimeClass: capability.runtimeClass,
    input: trigger.payload,
    // Deliveries run on the exact payload: sealed when the recorded view differs from it.
    sealedInput: view === payload ? null : sealRunInput(ctx.sealer, runId, payload),
    credentialRef: ANONYMOUS_CREDENTIAL_REF,
    tenantId: draft.tenantId,
    at,
  });
  const scope: DedupeScope = { tenantId: draft.tenantId, connectorId: definition.connectorId, triggerId: definition.triggerId, dedupeKey };
  return { trigger, run, scope, at, expiresAt: isoAt(draft.now + definition.dedupeTtlSeconds * 1000) };
}

/** The original admission of a duplicate delivery. */
async function original(tx: StoreSet, definition: IngressDefinition, scope: DedupeScope): Promise<{ trigger: TriggerRecord; run: Run }> {
  const trigger = await tx.ingress.fetchTriggerByScope(scope);
  const run = trigger?.runId ? await tx.ledger.fetchRun(trigger.runId) : null;
  if (!trigger || !run) {
    throw new IntegrationError('store_failed', `dedupe scope of ${definition.triggerId} is reserved but its trigger or run is missing`, {
      details: { ...scope },
      retryable: false,
    });
  }
  return { trigger, run };
}

/** Writes a new admission: run, trigger, checkpoint, then its `run.accepted` event (seq 0). */
async function writeAccepted(tx: StoreSet, prepared: Prepared, draft: Draft, writeCheckpoint: () => Promise<TriggerCheckpoint | null>): Promise<Admission> {
  const { run } = prepared;
  const trigger: TriggerRecord = { ...prepared.trigger, runId: run.runId };
  const event = eventRecord(
    { runId: run.runId, attemptId: null, attempt: null, targetId: null, traceId: null },
    { type: 'run.accepted', stream: 'control', level: 'info', payload: { admissionId: trigger.admissionId } },
    {
      seq: 0,
      ts: prepared.at,
      eventId: newId('evt', draft.now),
      trace: { traceId: null, spanId: null, correlationId: trigger.admissionId, causationId: null },
    },
  );
  await tx.ledger.putRun(run);
  await tx.ingress.putTrigger(trigger);
  const checkpoint = await writeCheckpoint();
  await tx.ledger.appendEvents([event]);
  return { status: 'accepted', trigger, run, checkpoint };
}

/**
 * Admits a checked payload in one transaction: reserve the dedupe key, then either the new run,
 * trigger, checkpoint and event, or (a duplicate) the original admission with the checkpoint
 * still advanced; then the caller's `within`.
 */
export async function admit(
  ctx: AdmitContext,
  definition: IngressDefinition,
  draft: Draft,
  payload: unknown,
  checkpointInput: CheckpointInput | null,
  opts: AdmitOptions | undefined,
): Promise<Admission> {
  const prepared = await prepare(ctx, definition, draft, payload);
  const { scope, at } = prepared;
  return ctx.transaction(async (tx) => {
    const reservation = await tx.ingress.reserveDedupe(scope, prepared.expiresAt, at);
    const writeCheckpoint = () => (checkpointInput ? tx.ingress.putCheckpoint({ ...checkpointInput, revision: 1, updatedAt: at }) : Promise.resolve(null));
    let admission: Admission;
    if (reservation === 'duplicate') {
      const { trigger, run } = await original(tx, definition, scope);
      admission = { status: 'duplicate', trigger, run, checkpoint: await writeCheckpoint() };
    } else {
      admission = await writeAccepted(tx, prepared, draft, writeCheckpoint);
    }
    if (opts?.within) {
      try {
        await opts.within(tx, admission);
      } catch (error) {
        throw new WithinFailure(error);
      }
    }
    return admission;
  });
}
