import { declaredSecrets, isoAt, KnownSecrets, redact, type Capability, type IntegrationError, type TriggerRecord } from '@integration/contracts';
import { dedupeKeyFor } from './dedupe';
import type { IngressDefinition } from './definition';
import { summarize } from './rejection';
import type { Draft } from './requests';
import { buildSignal } from './signal';

/**
 * The view of a payload that records keep: declared-secret fields (of the signal schema and the
 * trigger's input schema) and the signing secrets redacted. `payload` itself when it holds none.
 */
export function recordedView(definition: IngressDefinition, schema: Capability['inputSchema'] | null, payload: unknown): unknown {
  const declared = declaredSecrets(schema, declaredSecrets(definition.signalSchema, payload).view).view;
  const signing = KnownSecrets.of(definition.verification?.secrets);
  if (declared === payload && !signing.occursIn(JSON.stringify(payload ?? null))) return payload;
  return redact(declared, { secrets: signing });
}

/** The trigger of an admitted delivery, with its signal; `runId` is set once the run exists. */
export function acceptedTrigger(definition: IngressDefinition, draft: Draft, dedupeKey: string, view: unknown): TriggerRecord {
  const at = isoAt(draft.now);
  return {
    admissionId: draft.admissionId,
    source: draft.source,
    connectorId: definition.connectorId,
    triggerId: definition.triggerId,
    capabilityId: definition.capabilityId,
    tenantId: draft.tenantId,
    externalId: draft.externalId,
    dedupeKey,
    partitionKey: draft.partitionKey,
    payload: view,
    signal: buildSignal(definition, { ...draft, dedupeKey, payload: view }),
    status: 'accepted',
    runId: null,
    rejectionReason: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** The stored evidence of a refused delivery: no signal, no run, the reason. */
export function rejectedTrigger(definition: IngressDefinition, draft: Draft, error: IntegrationError): TriggerRecord {
  let dedupeKey: string;
  try {
    dedupeKey = dedupeKeyFor(draft.externalId, draft.payload);
  } catch {
    dedupeKey = 'unhashable';
  }
  const at = isoAt(draft.now);
  return {
    admissionId: draft.admissionId,
    source: draft.source,
    connectorId: definition.connectorId,
    triggerId: definition.triggerId,
    capabilityId: definition.capabilityId,
    tenantId: draft.tenantId || 'unknown',
    externalId: draft.externalId,
    dedupeKey,
    partitionKey: draft.partitionKey,
    // A payload that failed verification is untrusted: keep only its hash as evidence.
    payload: error.code === 'signature_invalid' ? { unverified: true, dedupeKey } : recordedView(definition, null, draft.payload ?? null),
    signal: null,
    status: 'rejected',
    runId: null,
    rejectionReason: summarize(error),
    createdAt: at,
    updatedAt: at,
  };
}
