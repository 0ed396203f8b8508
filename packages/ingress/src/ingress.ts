import {
  IntegrationError,
  isoAt,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type SecretSealer,
  type StoreSet,
  type Stores,
  type TriggerFilter,
  type TriggerRecord,
} from '@integration/contracts';
import { checkSignature, invalidTrigger, parseJsonBody, validatePayload, type CapabilityResolver } from './admission-checks';
import { guardedAdmission } from './admission-guard';
import { admit, type Admission, type AdmitContext, type AdmitOptions } from './admit';
import type { IngressDefinition } from './definition';
import { groupCommitter } from './group-commit';
import { pollDraft, requestIssues, webhookDraft, type PollRequest, type WebhookRequest } from './requests';

export type { CapabilityResolver } from './admission-checks';
export type { Admission, AdmitOptions } from './admit';
export type { PollRequest, WebhookRequest } from './requests';

export interface IngressOptions {
  stores: Stores;
  capabilities: CapabilityResolver;
  clock?: Clock;
  logger?: Logger;
  /**
   * Group commit: concurrent admissions share a store transaction (each still all-or-nothing for
   * its caller; durable before it resolves). Default: `stores.capabilities.serializedTransactions`
   * (on where transactions queue anyway, as on SQLite and memory; off where they run in parallel,
   * as on Postgres). `maxBatch` default 64.
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

function admitContextOf(options: IngressOptions): AdmitContext {
  const { stores } = options;
  const grouping = options.groupCommit ?? stores.capabilities.serializedTransactions;
  const committer = grouping ? groupCommitter(stores, typeof grouping === 'object' ? (grouping.maxBatch ?? 64) : 64) : null;
  return {
    capabilities: options.capabilities,
    sealer: options.sealer,
    transaction: <T>(body: (tx: StoreSet) => Promise<T>): Promise<T> => (committer ? committer(body) : stores.transaction(body)),
  };
}

export function createIngress(options: IngressOptions): Ingress {
  const { stores } = options;
  const clock = options.clock ?? systemClock;
  const guard = { stores, logger: (options.logger ?? silentLogger).child({ component: 'ingress' }) };
  const admitContext = admitContextOf(options);

  return {
    async admitWebhook(request, definition, opts) {
      const now = clock.now();
      const { draft, base, headers } = webhookDraft(request, definition, now);
      return guardedAdmission(guard, definition, draft, async () => {
        if (definition.source !== 'webhook') throw invalidTrigger(`definition ${definition.triggerId} is not a webhook definition`);
        if (!base.success) throw invalidTrigger(requestIssues('webhook', base.error));
        checkSignature(definition, headers, base.data.rawBody, now);
        let payload = request.body;
        if (payload === undefined) {
          payload = parseJsonBody(base.data.rawBody);
          draft.payload = payload;
        }
        const validated = await validatePayload(definition, payload);
        return admit(admitContext, definition, draft, validated, null, opts);
      });
    },

    async admitPoll(request, definition, opts) {
      const { draft, base } = pollDraft(request, clock.now());
      return guardedAdmission(guard, definition, draft, async () => {
        if (definition.source !== 'poll') throw invalidTrigger(`definition ${definition.triggerId} is not a poll definition`);
        if (!base.success) throw invalidTrigger(requestIssues('poll', base.error));
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
        return admit(admitContext, definition, draft, validated, checkpoint, opts);
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
