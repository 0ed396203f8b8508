import { z } from 'zod';
import {
  ANONYMOUS_CREDENTIAL_REF,
  declaredSecrets,
  IntegrationError,
  isoAt,
  KnownSecrets,
  newId,
  redact,
  sealRunInput,
  silentLogger,
  systemClock,
  ValidationError,
  type Capability,
  type Clock,
  type DedupeScope,
  type Event,
  type Logger,
  type Run,
  type SecretSealer,
  type StoreSet,
  type Stores,
  type TriggerCheckpoint,
  type TriggerFilter,
  type TriggerRecord,
} from '@integration/contracts';
import type { IngressDefinition } from './definition';
import { dedupeKeyFor } from './dedupe';
import { normalizeHeaders, headerValue, type HeaderInput } from './headers';
import { AdmissionRejectedError, asIntegrationError, summarize } from './rejection';
import { buildSignal } from './signal';
import { GroupCommitter } from './group-commit';
import { verifySignature } from './verification/schemes';

/** What ingress needs from the control plane: the capability behind a trigger. */
export interface CapabilityResolver {
  fetchCapability(capabilityId: string): Capability | Promise<Capability>;
}

export interface WebhookRequest {
  tenantId: string;
  headers?: HeaderInput;
  /** The exact bytes received (signatures are checked over these). */
  rawBody: Uint8Array | string;
  /** The decoded payload; when absent the raw body is parsed as JSON. */
  body?: unknown;
  externalId?: string | null;
  partitionKey?: string | null;
}

export interface PollRequest {
  tenantId: string;
  partitionKey: string;
  cursor: string;
  event: unknown;
  externalId?: string | null;
  lastEventId?: string | null;
  lastEventTime?: string | null;
  metadata?: Record<string, unknown>;
}

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

export interface IngressOptions {
  stores: Stores;
  capabilities: CapabilityResolver;
  clock?: Clock;
  logger?: Logger;
  /**
   * Group commit: concurrent admissions share a store transaction (each still all-or-nothing for
   * its caller; durable before it resolves). Default: on for the SQLite and memory tiers, whose
   * transactions are serialised anyway, off for Postgres. `maxBatch` default 64.
   */
  groupCommit?: boolean | { maxBatch?: number };
  /**
   * Seals the exact payload of a run whose payload holds declared-secret fields (the credential key
   * ring), so that its deliveries run on the real values. Without one such a delivery is refused.
   */
  sealer?: SecretSealer | null;
}

export interface Ingress {
  admitWebhook(request: WebhookRequest, definition: IngressDefinition, options?: AdmitOptions): Promise<Admission>;
  admitPoll(request: PollRequest, definition: IngressDefinition, options?: AdmitOptions): Promise<Admission>;
  /** Deletes expired dedupe reservations; returns how many. */
  sweepExpired(): Promise<number>;
  fetchTrigger(admissionId: string): Promise<TriggerRecord>;
  triggers(filter?: TriggerFilter): Promise<TriggerRecord[]>;
}

const WebhookRequestSchema = z.object({
  tenantId: z.string().trim().min(1),
  rawBody: z.union([z.string(), z.instanceof(Uint8Array)]),
  externalId: z.string().nullish(),
  partitionKey: z.string().nullish(),
});

const PollRequestSchema = z.object({
  tenantId: z.string().trim().min(1),
  partitionKey: z.string().min(1),
  cursor: z.string(),
  externalId: z.string().nullish(),
  lastEventId: z.string().nullish(),
  lastEventTime: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

interface Draft {
  admissionId: string;
  source: 'webhook' | 'poll';
  tenantId: string;
  externalId: string | null;
  partitionKey: string | null;
  payload: unknown;
  now: number;
}

/** Marks an error thrown by `AdmitOptions.within`, so it is not recorded as a rejection. */
class WithinFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('admission within() failed');
  }
}

const invalid = (message: string, details: Record<string, unknown> = {}) => new ValidationError('invalid_trigger', message, { details });

export function createIngress(options: IngressOptions): Ingress {
  const { stores, capabilities } = options;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ component: 'ingress' });
  const grouping = options.groupCommit ?? stores.tier !== 'postgres';
  const committer = grouping ? new GroupCommitter(stores, typeof grouping === 'object' ? (grouping.maxBatch ?? 64) : 64) : null;
  const transaction = <T>(body: (tx: StoreSet) => Promise<T>): Promise<T> => (committer ? committer.run(body) : stores.transaction(body));

  /**
   * The view of a payload that records keep: declared-secret fields (of the signal schema and the
   * trigger's input schema) and the signing secrets redacted. `payload` itself when it holds none.
   */
  function viewOf(definition: IngressDefinition, schema: Capability['inputSchema'] | null, payload: unknown): unknown {
    const declared = declaredSecrets(schema, declaredSecrets(definition.signalSchema, payload).view).view;
    const signing = KnownSecrets.of(definition.verification?.secrets);
    if (declared === payload && !signing.occursIn(JSON.stringify(payload ?? null))) return payload;
    return redact(declared, { secrets: signing });
  }

  function recordOf(definition: IngressDefinition, draft: Draft, dedupeKey: string, safePayload: unknown): TriggerRecord {
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
      payload: safePayload,
      signal: buildSignal(definition, { ...draft, dedupeKey, payload: safePayload }),
      status: 'accepted',
      runId: null,
      rejectionReason: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  async function reject(definition: IngressDefinition, draft: Draft, error: IntegrationError): Promise<never> {
    let dedupeKey: string;
    try {
      dedupeKey = dedupeKeyFor(draft.externalId, draft.payload);
    } catch {
      dedupeKey = 'unhashable';
    }
    const at = isoAt(draft.now);
    const trigger: TriggerRecord = {
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
      payload: error.code === 'signature_invalid' ? { unverified: true, dedupeKey } : viewOf(definition, null, draft.payload ?? null),
      signal: null,
      status: 'rejected',
      runId: null,
      rejectionReason: summarize(error),
      createdAt: at,
      updatedAt: at,
    };
    // A store failure here surfaces as itself (retryable), so the sender tries again.
    await stores.ingress.putTrigger(trigger);
    logger.info({ admissionId: trigger.admissionId, code: error.code, triggerId: definition.triggerId }, 'trigger rejected');
    throw new AdmissionRejectedError(error, trigger);
  }

  async function validatePayload(definition: IngressDefinition, payload: unknown): Promise<unknown> {
    let value = payload;
    if (definition.signalSchema) {
      const parsed = definition.signalSchema.safeParse(payload);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
        throw invalid(`payload does not match the signal schema of ${definition.triggerId}`, { issues });
      }
      value = parsed.data;
    }
    if (definition.validator) {
      let verdict: void | string;
      try {
        verdict = await definition.validator(value);
      } catch (error) {
        throw asIntegrationError(error, 'invalid_trigger', 'payload validator rejected the delivery');
      }
      if (typeof verdict === 'string') throw invalid(verdict);
    }
    return value;
  }

  async function resolveCapability(definition: IngressDefinition): Promise<Capability> {
    let capability: Capability;
    try {
      capability = await capabilities.fetchCapability(definition.capabilityId);
    } catch (error) {
      throw asIntegrationError(error, 'unknown_capability', `capability ${definition.capabilityId} could not be resolved`);
    }
    if (!capability || capability.kind !== 'trigger') {
      throw new ValidationError('invalid_trigger', `capability ${definition.capabilityId} is not a trigger`);
    }
    return capability;
  }

  async function admit(
    definition: IngressDefinition,
    draft: Draft,
    payload: unknown,
    checkpointInput: Omit<TriggerCheckpoint, 'revision' | 'updatedAt'> | null,
    opts: AdmitOptions | undefined,
  ): Promise<Admission> {
    let dedupeKey: string;
    try {
      dedupeKey = dedupeKeyFor(draft.externalId, payload);
    } catch (error) {
      throw asIntegrationError(error, 'invalid_trigger', 'payload has no JSON representation');
    }
    const capability = await resolveCapability(definition);
    const view = viewOf(definition, capability.inputSchema, payload);
    const trigger = recordOf(definition, draft, dedupeKey, view);
    const runId = newId('run', draft.now);
    // Deliveries run on the exact payload: sealed when the recorded view differs from it.
    const sealedInput = view === payload ? null : sealRunInput(options.sealer, runId, payload);
    const scope: DedupeScope = { tenantId: draft.tenantId, connectorId: definition.connectorId, triggerId: definition.triggerId, dedupeKey };
    const at = isoAt(draft.now);
    const expiresAt = isoAt(draft.now + definition.dedupeTtlSeconds * 1000);
    return transaction(async (tx) => {
      const reservation = await tx.ingress.reserveDedupe(scope, expiresAt, at);
      const writeCheckpoint = () =>
        checkpointInput ? tx.ingress.putCheckpoint({ ...checkpointInput, revision: 1, updatedAt: at }) : Promise.resolve(null);
      let admission: Admission;
      if (reservation === 'duplicate') {
        const original = await tx.ingress.fetchTriggerByScope(scope);
        const run = original?.runId ? await tx.ledger.fetchRun(original.runId) : null;
        if (!original || !run) {
          throw new IntegrationError('store_failed', `dedupe scope of ${definition.triggerId} is reserved but its trigger or run is missing`, {
            details: { ...scope },
            retryable: false,
          });
        }
        admission = { status: 'duplicate', trigger: original, run, checkpoint: await writeCheckpoint() };
      } else {
        const run: Run = {
          runId,
          capabilityId: capability.id,
          connectorId: definition.connectorId,
          runtimeClass: capability.runtimeClass,
          status: 'accepted',
          input: trigger.payload,
          sealedInput,
          credentialRef: ANONYMOUS_CREDENTIAL_REF,
          targetId: null,
          tenantId: draft.tenantId,
          actorId: null,
          traceId: null,
          idempotencyKey: null,
          result: null,
          error: null,
          policy: null,
          createdAt: at,
          updatedAt: at,
        };
        const admitted: TriggerRecord = { ...trigger, runId: run.runId };
        const event: Event = {
          eventId: newId('evt', draft.now),
          schemaVersion: '1.0',
          runId: run.runId,
          attemptId: null,
          attempt: null,
          seq: 0,
          type: 'run.accepted',
          stream: 'control',
          level: 'info',
          payload: { admissionId: admitted.admissionId },
          payloadRef: null,
          trace: { traceId: null, spanId: null, correlationId: admitted.admissionId, causationId: null },
          targetId: null,
          sessionId: null,
          runtimeRefId: null,
          ts: at,
        };
        await tx.ledger.putRun(run);
        await tx.ingress.putTrigger(admitted);
        const checkpoint = await writeCheckpoint();
        await tx.ledger.appendEvents([event]);
        admission = { status: 'accepted', trigger: admitted, run, checkpoint };
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

  /** Runs the checks, storing a rejection for any typed failure except store outages. */
  async function guarded(definition: IngressDefinition, draft: Draft, steps: () => Promise<Admission>): Promise<Admission> {
    try {
      const admission = await steps();
      logger.debug({ admissionId: admission.trigger.admissionId, status: admission.status, runId: admission.run.runId }, 'trigger admitted');
      return admission;
    } catch (error) {
      if (error instanceof AdmissionRejectedError) throw error;
      // The caller's own in-transaction step failed: its error, not a rejection of the delivery.
      if (error instanceof WithinFailure) throw error.cause;
      const typed = asIntegrationError(error, 'invalid_trigger', 'trigger admission failed');
      // Outages, races and the platform's own configuration are not the delivery's fault: nothing is recorded.
      if (typed.category === 'store' || typed.category === 'conflict' || typed.code === 'key_configuration_missing') throw typed;
      return reject(definition, draft, typed);
    }
  }

  return {
    async admitWebhook(request, definition, opts) {
      const now = clock.now();
      const base = WebhookRequestSchema.safeParse(request);
      const headers = normalizeHeaders(request?.headers);
      const externalFromHeaders = definition.deliveryIdHeaders.map((h) => headerValue(headers, h)).find((v) => v !== undefined);
      const draft: Draft = {
        admissionId: newId('trg', now),
        source: 'webhook',
        tenantId: base.success ? base.data.tenantId : typeof request?.tenantId === 'string' ? request.tenantId.trim() : '',
        externalId: (base.success ? base.data.externalId : null) || externalFromHeaders || null,
        partitionKey: base.success ? (base.data.partitionKey ?? null) : null,
        payload: request?.body,
        now,
      };
      return guarded(definition, draft, async () => {
        if (definition.source !== 'webhook') throw invalid(`definition ${definition.triggerId} is not a webhook definition`);
        if (!base.success) throw invalid(`webhook request: ${base.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
        if (definition.verification) {
          const outcome = verifySignature(definition.verification, { headers, rawBody: base.data.rawBody, now });
          if (!outcome.ok) {
            throw new IntegrationError('signature_invalid', `webhook signature rejected (${outcome.reason})`, {
              details: { reason: outcome.reason, scheme: definition.verification.scheme },
            });
          }
        }
        let payload = request.body;
        if (payload === undefined) {
          const text = typeof base.data.rawBody === 'string' ? base.data.rawBody : Buffer.from(base.data.rawBody).toString('utf8');
          try {
            payload = JSON.parse(text) as unknown;
          } catch {
            throw invalid('webhook body is not valid JSON');
          }
          draft.payload = payload;
        }
        const validated = await validatePayload(definition, payload);
        return admit(definition, draft, validated, null, opts);
      });
    },

    async admitPoll(request, definition, opts) {
      const now = clock.now();
      const base = PollRequestSchema.safeParse(request);
      const draft: Draft = {
        admissionId: newId('trg', now),
        source: 'poll',
        tenantId: base.success ? base.data.tenantId : typeof request?.tenantId === 'string' ? request.tenantId.trim() : '',
        externalId: base.success ? (base.data.externalId ?? null) : null,
        partitionKey: base.success ? base.data.partitionKey : null,
        payload: request?.event,
        now,
      };
      return guarded(definition, draft, async () => {
        if (definition.source !== 'poll') throw invalid(`definition ${definition.triggerId} is not a poll definition`);
        if (!base.success) throw invalid(`poll request: ${base.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
        const validated = await validatePayload(definition, request.event);
        const checkpoint = {
          tenantId: base.data.tenantId,
          connectorId: definition.connectorId,
          triggerId: definition.triggerId,
          partitionKey: base.data.partitionKey,
          cursor: base.data.cursor,
          lastEventId: base.data.lastEventId ?? null,
          lastEventTime: base.data.lastEventTime ?? null,
          metadata: base.data.metadata ?? {},
        };
        return admit(definition, draft, validated, checkpoint, opts);
      });
    },

    sweepExpired() {
      return stores.ingress.sweepDedupe(isoAt(clock.now()));
    },

    async fetchTrigger(admissionId) {
      const trigger = await stores.ingress.fetchTrigger(admissionId);
      if (!trigger) throw new IntegrationError('unknown_trigger', `no trigger ${admissionId}`);
      return trigger;
    },

    triggers(filter) {
      return stores.ingress.listTriggers(filter);
    },
  };
}

