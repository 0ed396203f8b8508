import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, isIntegrationError, type Stores } from '@integration/contracts';
import { AdmissionRejectedError, createIngress, definitionFromTrigger, signWebhook, type Ingress, type IngressDefinition } from '../src/index';
import { acme, capabilityRegistry, orderCreated, orderPolled, WEBHOOK_SECRET } from '../../dispatch/test/support/fixtures';
import { availableTiers, type TierHandle } from '../../dispatch/test/support/tiers';

const tiers = await availableTiers('ingress');
const capabilities = capabilityRegistry(acme);

function signed(body: unknown, delivery?: string, secret = WEBHOOK_SECRET) {
  const rawBody = JSON.stringify(body);
  return {
    tenantId: 'tenant-a',
    rawBody,
    headers: { ...signWebhook('github', { secret, rawBody }), ...(delivery ? { 'X-Acme-Delivery': delivery } : {}) },
  };
}

async function rejection(promise: Promise<unknown>): Promise<AdmissionRejectedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdmissionRejectedError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe.each(tiers)('ingress on $name', (tier) => {
  let handle: TierHandle;
  let stores: Stores;
  let clock: ManualClock;
  let ingress: Ingress;
  let webhook: IngressDefinition;
  let poll: IngressDefinition;

  beforeEach(async () => {
    handle = await tier.create();
    stores = handle.stores;
    clock = new ManualClock(Date.now());
    ingress = createIngress({ stores, capabilities, clock });
    webhook = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET });
    poll = definitionFromTrigger('acme', orderPolled);
  });
  afterEach(async () => handle.cleanup());

  it('admits a signed webhook: run accepted, trigger, one run.accepted event, CloudEvents signal', async () => {
    const admission = await ingress.admitWebhook(signed({ orderId: 'o-1', amount: 12 }, 'dlv-1'), webhook);
    expect(admission.status).toBe('accepted');
    const { run, trigger } = admission;
    expect(run).toMatchObject({ status: 'accepted', capabilityId: 'acme.order.created', connectorId: 'acme', runtimeClass: 'direct', tenantId: 'tenant-a' });
    expect(run.input).toEqual({ orderId: 'o-1', amount: 12 });
    expect(run.credentialRef.id).toBe('cred_anonymous');
    expect(await stores.ledger.fetchRun(run.runId)).toMatchObject({ runId: run.runId, status: 'accepted' });
    expect(trigger).toMatchObject({ status: 'accepted', runId: run.runId, externalId: 'dlv-1', dedupeKey: 'dlv-1', source: 'webhook' });
    expect(trigger.signal).toMatchObject({
      specversion: '1.0',
      id: trigger.admissionId,
      type: 'com.acme.order.created',
      source: '/webhooks/acme/orders',
      subject: 'tenant-a:acme.order.created:dlv-1',
      data: { orderId: 'o-1', amount: 12 },
      tenantid: 'tenant-a',
      dedupekey: 'dlv-1',
    });
    const events = await stores.ledger.listEvents(run.runId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'run.accepted', seq: 0, attemptId: null, payload: { admissionId: trigger.admissionId } });
    expect(await ingress.fetchTrigger(trigger.admissionId)).toMatchObject({ runId: run.runId });
  });

  it('a replayed delivery id is a duplicate of the original trigger and run', async () => {
    const first = await ingress.admitWebhook(signed({ orderId: 'o-1', amount: 12 }, 'dlv-1'), webhook);
    const second = await ingress.admitWebhook(signed({ orderId: 'o-1', amount: 13 }, 'dlv-1'), webhook);
    expect(second.status).toBe('duplicate');
    expect(second.run.runId).toBe(first.run.runId);
    expect(second.trigger.admissionId).toBe(first.trigger.admissionId);
    expect(await stores.ledger.listRuns({ capabilityId: 'acme.order.created' })).toHaveLength(1);
    expect(await stores.ledger.listEvents(first.run.runId)).toHaveLength(1);
  });

  it('without a delivery id the dedupe key is the canonical-JSON hash of the payload', async () => {
    const a = await ingress.admitWebhook(signed({ amount: 5, orderId: 'o-2' }), webhook);
    const b = await ingress.admitWebhook(signed({ orderId: 'o-2', amount: 5 }), webhook);
    expect(a.trigger.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.status).toBe('duplicate');
    const c = await ingress.admitWebhook(signed({ orderId: 'o-3', amount: 5 }), webhook);
    expect(c.status).toBe('accepted');
  });

  it('dedupe scope is per tenant', async () => {
    await ingress.admitWebhook(signed({ orderId: 'o-1', amount: 1 }, 'dlv-1'), webhook);
    const other = await ingress.admitWebhook({ ...signed({ orderId: 'o-1', amount: 1 }, 'dlv-1'), tenantId: 'tenant-b' }, webhook);
    expect(other.status).toBe('accepted');
  });

  it('a bad signature is a stored rejection and creates no run', async () => {
    const error = await rejection(ingress.admitWebhook(signed({ orderId: 'o-1', amount: 1 }, 'dlv-x', 'wrong-secret-000'), webhook));
    expect(error.code).toBe('signature_invalid');
    expect(error.trigger).toMatchObject({ status: 'rejected', runId: null, rejectionReason: { code: 'signature_invalid' } });
    const stored = await ingress.fetchTrigger(error.trigger!.admissionId);
    expect(stored.status).toBe('rejected');
    expect(JSON.stringify(stored)).not.toContain('o-1');
    expect(await stores.ledger.listRuns()).toHaveLength(0);
    // The rejection reserved nothing: the genuine delivery is still admitted.
    expect((await ingress.admitWebhook(signed({ orderId: 'o-1', amount: 1 }, 'dlv-x'), webhook)).status).toBe('accepted');
  });

  it('a payload that fails the signal schema is rejected as invalid_trigger with issues', async () => {
    const error = await rejection(ingress.admitWebhook(signed({ orderId: '', amount: -1 }, 'dlv-2'), webhook));
    expect(error.code).toBe('invalid_trigger');
    expect(error.details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'orderId' })]));
    expect(error.trigger?.rejectionReason?.code).toBe('invalid_trigger');
    expect(await stores.ledger.listRuns()).toHaveLength(0);
  });

  it('a body that is not JSON, a missing tenant and a validator veto are rejections', async () => {
    const notJson = { tenantId: 't', rawBody: '{nope', headers: signWebhook('github', { secret: WEBHOOK_SECRET, rawBody: '{nope' }) };
    expect((await rejection(ingress.admitWebhook(notJson, webhook))).code).toBe('invalid_trigger');
    const noTenant = { ...signed({ orderId: 'o', amount: 1 }), tenantId: '  ' };
    const missing = await rejection(ingress.admitWebhook(noTenant, webhook));
    expect(missing.code).toBe('invalid_trigger');
    expect(missing.trigger?.tenantId).toBe('unknown');
    const vetoing = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET, validator: (p) => ((p as { amount: number }).amount > 100 ? 'too big' : undefined) });
    const veto = await rejection(ingress.admitWebhook(signed({ orderId: 'o', amount: 101 }), vetoing));
    expect(veto.code).toBe('invalid_trigger');
    expect(veto.message).toContain('too big');
    expect(await stores.ingress.listTriggers({ status: 'rejected' })).toHaveLength(3);
  });

  it('an unknown capability is a stored rejection', async () => {
    const orphan = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET, capabilityId: 'acme.nothing.here' });
    const error = await rejection(ingress.admitWebhook(signed({ orderId: 'o', amount: 1 }), orphan));
    expect(error.code).toBe('unknown_capability');
  });

  it('enforces the dedupe TTL and sweeps expired reservations', async () => {
    const short = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET, dedupeTtlSeconds: 60 });
    const first = await ingress.admitWebhook(signed({ orderId: 'o', amount: 1 }, 'dlv-ttl'), short);
    clock.advance(59_000);
    expect((await ingress.admitWebhook(signed({ orderId: 'o', amount: 1 }, 'dlv-ttl'), short)).status).toBe('duplicate');
    clock.advance(2_000);
    const again = await ingress.admitWebhook(signed({ orderId: 'o', amount: 1 }, 'dlv-ttl'), short);
    expect(again.status).toBe('accepted');
    expect(again.run.runId).not.toBe(first.run.runId);
    await ingress.admitWebhook(signed({ orderId: 'o', amount: 2 }, 'dlv-other'), short);
    clock.advance(61_000);
    expect(await ingress.sweepExpired()).toBe(2);
    expect(await ingress.sweepExpired()).toBe(0);
  });

  it('admits polls with a checkpoint; duplicates still advance the checkpoint', async () => {
    const first = await ingress.admitPoll({ tenantId: 'tenant-a', partitionKey: 'shop-1', cursor: 'c1', externalId: 'evt-1', event: { orderId: 'o-9', amount: 3 } }, poll);
    expect(first.status).toBe('accepted');
    expect(first.checkpoint).toMatchObject({ cursor: 'c1', revision: 1 });
    const dup = await ingress.admitPoll({ tenantId: 'tenant-a', partitionKey: 'shop-1', cursor: 'c2', externalId: 'evt-1', event: { orderId: 'o-9', amount: 3 } }, poll);
    expect(dup.status).toBe('duplicate');
    expect(dup.run.runId).toBe(first.run.runId);
    expect(dup.checkpoint).toMatchObject({ cursor: 'c2', revision: 2 });
    expect(await stores.ingress.fetchCheckpoint({ tenantId: 'tenant-a', connectorId: 'acme', triggerId: 'acme.order.polled', partitionKey: 'shop-1' })).toMatchObject({ cursor: 'c2', revision: 2 });
    const bad = await rejection(ingress.admitPoll({ tenantId: 'tenant-a', partitionKey: 'shop-1', cursor: 'c3', event: { nope: true } }, poll));
    expect(bad.code).toBe('invalid_trigger');
    expect((await stores.ingress.fetchCheckpoint({ tenantId: 'tenant-a', connectorId: 'acme', triggerId: 'acme.order.polled', partitionKey: 'shop-1' }))?.cursor).toBe('c2');
  });

  it('admission is one transaction: a failing in-transaction step leaves nothing behind', async () => {
    await expect(
      ingress.admitWebhook(signed({ orderId: 'o', amount: 1 }, 'dlv-tx'), webhook, {
        within: async () => {
          throw new Error('enqueue exploded');
        },
      }),
    ).rejects.toThrow();
    expect(await stores.ledger.listRuns()).toHaveLength(0);
    expect(await stores.ingress.listTriggers({ status: 'accepted' })).toHaveLength(0);
    expect((await ingress.admitWebhook(signed({ orderId: 'o', amount: 1 }, 'dlv-tx'), webhook)).status).toBe('accepted');
  });

  it('concurrent deliveries (group commit on SQLite/memory) admit each key once and isolate failures', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ingress.admitWebhook(signed({ orderId: `o-${i % 12}`, amount: i % 12 }, `dlv-c-${i % 12}`), webhook)),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(12);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(48);
    for (const r of results) {
      const original = results.find((o) => o.status === 'accepted' && o.trigger.externalId === r.trigger.externalId)!;
      expect(r.run.runId).toBe(original.run.runId);
    }
    expect(await stores.ledger.listRuns()).toHaveLength(12);

    // One admission whose in-transaction step fails does not fail its neighbours.
    const mixed = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        ingress.admitWebhook(signed({ orderId: `m-${i}`, amount: i }, `dlv-m-${i}`), webhook, {
          within: async () => {
            if (i === 7) throw new Error('enqueue exploded');
          },
        }),
      ),
    );
    expect(mixed.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(mixed[7]?.status).toBe('rejected');
    expect(String((mixed[7] as PromiseRejectedResult).reason)).toContain('enqueue exploded');
    expect(await stores.ingress.listTriggers({ status: 'rejected' })).toHaveLength(0);
    expect(await stores.ledger.listRuns()).toHaveLength(12 + 19);
    expect(await stores.ingress.fetchTriggerByScope({ tenantId: 'tenant-a', connectorId: 'acme', triggerId: 'acme.order.created', dedupeKey: 'dlv-m-7' })).toBeNull();
  });

  it('secret-named payload keys never reach durable records', async () => {
    const body = { orderId: 'o-s', amount: 1, access_token: 'canary-token-value-9' };
    const admission = await ingress.admitWebhook(signed(body, 'dlv-s'), definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET, verification: { scheme: 'github', secrets: [WEBHOOK_SECRET] } }));
    const dump = JSON.stringify([await stores.ledger.fetchRun(admission.run.runId), await stores.ingress.listTriggers(), await stores.ledger.listEvents(admission.run.runId)]);
    expect(dump).not.toContain('canary-token-value-9');
    expect(dump).not.toContain(WEBHOOK_SECRET);
  });
});

describe('definitionFromTrigger', () => {
  it('derives ids, signal metadata, schema and verification; the secret must be supplied', () => {
    const def = definitionFromTrigger('acme', orderCreated, { secret: ['new-secret-111', 'old-secret-222'] });
    expect(def).toMatchObject({
      source: 'webhook',
      connectorId: 'acme',
      triggerId: 'acme.order.created',
      capabilityId: 'acme.order.created',
      signalType: 'com.acme.order.created',
      signalSource: '/webhooks/acme/orders',
      deliveryIdHeaders: ['x-acme-delivery'],
      dedupeTtlSeconds: 86_400,
      verification: { scheme: 'github', secrets: ['new-secret-111', 'old-secret-222'] },
    });
    expect(def.signalSchema).toBe(orderCreated.signal);
    let caught: unknown;
    try {
      definitionFromTrigger('acme', orderCreated);
    } catch (error) {
      caught = error;
    }
    expect(isIntegrationError(caught) && caught.code).toBe('invalid_definition');
    expect(definitionFromTrigger('acme', orderPolled, { dedupeTtlSeconds: 30, signalType: 'x.y' })).toMatchObject({ source: 'poll', dedupeTtlSeconds: 30, signalType: 'x.y', verification: null });
    expect(() => definitionFromTrigger('acme', orderPolled, { dedupeTtlSeconds: -1 })).toThrow(/dedupeTtlSeconds/);
  });
});
