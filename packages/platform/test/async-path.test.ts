import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConnectorError,
  createPlatform,
  defineConnector,
  defineTrigger,
  generateSealingKey,
  REDACTED,
  secret,
  signWebhook,
  type Platform,
  type Run,
} from '../src';
import { storeTiers, type StoreTierFactory, type TierInstance } from '../src/testing';

const WEBHOOK_SECRET = 'whsec-canary-0d9f4e21a7';

/** A connector with a signed webhook trigger and a poll trigger, both with real handlers. */
function hooksConnector() {
  const seen: string[] = [];
  const happened = defineTrigger({
    id: 'hooks.thing.happened',
    description: 'Something happened',
    deliveryMode: 'webhook',
    config: z.strictObject({}),
    signal: z.strictObject({ id: z.string(), kind: z.enum(['created', 'deleted']) }),
    signalType: 'hooks.thing.happened',
    signalSource: '/ingress/webhook/hooks/thing.happened',
    verification: { scheme: 'hmac_sha256', secretName: 'webhook_secret', header: 'x-hooks-signature' },
    deliveryIdHeader: 'x-hooks-delivery',
    consumerSurface: { mode: 'common', normalizedId: 'thing.happened', sensorName: 'thing_happened' },
    async handler(signal, ctx) {
      seen.push(signal.id);
      ctx.emit({ type: 'connector.hooks.thing.handled', payload: { id: signal.id } });
      return { handled: signal.id, attempt: ctx.attempt };
    },
  });
  const feed = ['a', 'b', 'c'];
  const polled = defineTrigger({
    id: 'hooks.item.listed',
    description: 'New items in a feed',
    deliveryMode: 'poll',
    polling: { defaultIntervalMs: 60_000 },
    config: z.strictObject({ limit: z.number().int().positive().default(10) }),
    signal: z.strictObject({ item: z.string() }),
    signalType: 'hooks.item.listed',
    signalSource: '/ingress/poll/hooks/item.listed',
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    async poll({ config, cursor }) {
      const fresh = feed.filter((item) => cursor === null || item > cursor).slice(0, config.limit);
      return { signals: fresh.map((item) => ({ item })), dedupeKeys: fresh, checkpoint: { cursor: fresh.at(-1) ?? cursor ?? '' } };
    },
    async handler(signal) {
      return { processed: signal.item };
    },
  });
  // Real payload shapes the key-name guess used to destroy: a `pageToken` cursor, a `pin` object,
  // and (as in Slack's event payloads) a verification `token`, here declared secret.
  const changedInputs: unknown[] = [];
  const changed = defineTrigger({
    id: 'hooks.page.changed',
    description: 'A page changed; the first delivery attempt fails (provider busy)',
    deliveryMode: 'webhook',
    config: z.strictObject({}),
    signal: z.strictObject({
      pageToken: z.string(),
      pin: z.strictObject({ pinned_at: z.string(), pinned_by: z.string() }),
      token: secret(z.string()),
      outcome: z.enum(['ok', 'broken']),
    }),
    signalType: 'hooks.page.changed',
    signalSource: '/ingress/webhook/hooks/page.changed',
    verification: { scheme: 'hmac_sha256', secretName: 'webhook_secret', header: 'x-hooks-signature' },
    deliveryIdHeader: 'x-hooks-delivery',
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    async handler(signal, ctx) {
      changedInputs.push(structuredClone(signal));
      if (signal.outcome === 'broken') throw new ConnectorError({ class: 'invalid_request', message: 'the page is gone' });
      if (ctx.attempt === 1) throw new ConnectorError({ class: 'unavailable', message: 'provider busy', retryAfterMs: 1 });
      return { pageToken: signal.pageToken, pin: signal.pin, attempt: ctx.attempt };
    },
  });
  const connector = defineConnector({
    id: 'hooks',
    auth: { type: 'api_token', leaseFields: ['api_token'], secretNames: ['webhook_secret'] },
    catalog: { displayName: 'Hooks' },
    triggers: [happened, polled, changed],
  });
  return { connector, seen, feed, changedInputs };
}

async function waitForRun(platform: Platform, runId: string, status: Run['status']): Promise<Run> {
  for (let i = 0; i < 400; i += 1) {
    const run = await platform.fetchRun(runId);
    if (run.status === status) return run;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`run ${runId} never reached ${status}`);
}

const tiers = (await storeTiers()).filter((t) => t.name !== 'postgres' || t.unavailable === null);

describe.each(tiers)('async path through the platform on the $name tier', (tier: StoreTierFactory) => {
  let instance: TierInstance;
  let platform: Platform;
  let hooks: ReturnType<typeof hooksConnector>;
  let connectionId: string;
  let installId: string;

  beforeAll(async () => {
    if (tier.unavailable) return;
    instance = await tier.create();
    hooks = hooksConnector();
    platform = await createPlatform({
      connectors: [hooks.connector],
      stores: instance.stores,
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
    });
    const started = await platform.startInstall('hooks', 'tenant-h', { subject: 'hook-owner' });
    const completed = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'hook-owner',
      secret: { api_token: 'api-token-123456', webhook_secret: WEBHOOK_SECRET },
    });
    connectionId = completed.connection.connectionId;
    installId = completed.install.installId;
    await platform.webhooks.registerRoute({
      connectorId: 'hooks',
      tenantId: 'tenant-h',
      connectionId,
      installId,
      triggerId: 'hooks.thing.happened',
      topology: 'dynamic_per_install',
      deliveryIdHeaders: ['x-hooks-delivery'],
      verification: { scheme: 'hmac_sha256', header: 'x-hooks-signature', secretRef: { connectionId, secretName: 'webhook_secret' } },
    });
    await platform.webhooks.registerRoute({
      connectorId: 'hooks',
      tenantId: 'tenant-h',
      triggerId: 'hooks.page.changed',
      topology: 'static_per_app',
      deliveryIdHeaders: ['x-hooks-delivery'],
      verification: { scheme: 'hmac_sha256', header: 'x-hooks-signature', secret: WEBHOOK_SECRET },
    });
  });
  afterAll(async () => {
    if (tier.unavailable) return;
    await platform.close();
    await instance.cleanup();
  });

  function signedRequest(body: string, delivery: string, secret = WEBHOOK_SECRET): Request {
    const headers = signWebhook('hmac_sha256', { secret, rawBody: body, header: 'x-hooks-signature' });
    return new Request(`http://localhost/webhooks/hooks/${installId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hooks-delivery': delivery, ...headers },
      body,
    });
  }

  it('signed webhook → route → ingress → dispatch → completed run; duplicates and bad signatures', async () => {
    const worker = platform.dispatch.createWorker({ concurrency: 2, pollIntervalMs: 50 });
    worker.start();
    try {
      const body = JSON.stringify({ id: 'thing-1', kind: 'created' });
      const accepted = await platform.webhooks.fetchHandler(signedRequest(body, 'delivery-1'));
      expect(accepted.status).toBe(202);
      const [trigger] = await platform.ingress.triggers({ triggerId: 'hooks.thing.happened' });
      const run = await waitForRun(platform, trigger!.runId!, 'completed');
      expect(run.result).toEqual({ handled: 'thing-1', attempt: 1 });
      expect((await platform.events(run.runId)).map((e) => e.type)).toEqual([
        'run.accepted',
        'run.started',
        'attempt.started',
        'connector.hooks.thing.handled',
        'attempt.completed',
        'run.completed',
      ]);
      const duplicate = await platform.webhooks.fetchHandler(signedRequest(body, 'delivery-1'));
      expect(duplicate.status).toBe(200);
      const forged = await platform.webhooks.fetchHandler(signedRequest(body, 'delivery-2', 'not-the-secret-at-all'));
      expect(forged.status).toBe(401);
      expect((await platform.ingress.triggers({ triggerId: 'hooks.thing.happened' })).map((t) => t.status).sort()).toEqual(['accepted', 'rejected']);
      expect((await platform.runs({ capabilityId: 'hooks.thing.happened' })).length).toBe(1);
      const packet = await platform.reviewPacket(run.runId);
      expect(packet.triggers).toHaveLength(1);
      const durable = JSON.stringify([await platform.webhooks.routes(), await platform.ingress.triggers(), await platform.dispatch.jobs(), packet]);
      expect(durable).not.toContain(WEBHOOK_SECRET);
    } finally {
      await worker.stop();
    }
  });

  const SLACK_TOKEN = 'xoxv-verification-canary-5521';
  const pagePayload = (outcome: 'ok' | 'broken') => ({
    pageToken: 'pg-abc123',
    pin: { pinned_at: '2026-11-30T09:00:00Z', pinned_by: 'octocat' },
    token: SLACK_TOKEN,
    outcome,
  });
  const postPage = (body: string, delivery: string) => {
    const headers = signWebhook('hmac_sha256', { secret: WEBHOOK_SECRET, rawBody: body, header: 'x-hooks-signature' });
    return platform.webhooks.fetchHandler(
      new Request('http://localhost/webhooks/hooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hooks-delivery': delivery, ...headers },
        body,
      }),
    );
  };

  it('a webhook run and its dispatch retry execute on the real payload; people see it with declared secrets redacted', async () => {
    hooks.changedInputs.length = 0;
    const worker = platform.dispatch.createWorker({ concurrency: 1, pollIntervalMs: 20, backoff: { baseMs: 1, capMs: 5 } });
    worker.start();
    try {
      const accepted = await postPage(JSON.stringify(pagePayload('ok')), 'page-1');
      expect(accepted.status).toBe(202);
      const { runId } = (await accepted.json()) as { runId: string };
      const run = await waitForRun(platform, runId, 'completed');
      // Both attempts (the failed one and the dispatch retry) got the exact payload.
      expect(hooks.changedInputs).toEqual([pagePayload('ok'), pagePayload('ok')]);
      expect(run.result).toEqual({ pageToken: 'pg-abc123', pin: pagePayload('ok').pin, attempt: 2 });
      // The recorded view keeps provider data and redacts only the declared field.
      expect(run.input).toEqual({ ...pagePayload('ok'), token: REDACTED });
      expect(run.sealedInput).not.toBeNull();
      expect((await platform.attempts(run.runId)).map((a) => a.status)).toEqual(['failed', 'completed']);
      const packet = await platform.reviewPacket(run.runId);
      const shown = JSON.stringify([packet, await platform.ingress.triggers({ triggerId: 'hooks.page.changed' }), await platform.dispatch.jobs()]);
      expect(shown).toContain('"pageToken":"pg-abc123"');
      expect(shown).toContain('"pinned_by":"octocat"');
      expect(shown).not.toContain(SLACK_TOKEN);
      if (instance.rawContents) expect((await instance.rawContents()).includes(SLACK_TOKEN)).toBe(false);
    } finally {
      await worker.stop();
    }
  });

  it('a job that dead-letters leaves its run failed with the reason, never accepted', async () => {
    const worker = platform.dispatch.createWorker({ concurrency: 1, pollIntervalMs: 20, backoff: { baseMs: 1, capMs: 5 } });
    worker.start();
    try {
      const accepted = await postPage(JSON.stringify(pagePayload('broken')), 'page-broken');
      expect(accepted.status).toBe(202);
      const { runId, dispatchId } = (await accepted.json()) as { runId: string; dispatchId: string };
      const jobOf = async () => (await platform.dispatch.jobs({ triggerId: 'hooks.page.changed' })).find((j) => j.dispatchId === dispatchId);
      for (let i = 0; i < 400 && (await jobOf())?.status !== 'dead_lettered'; i += 1) await new Promise((r) => setTimeout(r, 25));
      expect((await jobOf())?.status).toBe('dead_lettered');
      const run = await platform.fetchRun(runId);
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ code: 'connector_invalid_request' });
      expect((await platform.events(runId)).map((e) => e.type)).toContain('run.failed');
    } finally {
      await worker.stop();
    }
  });

  it('pollTrigger polls under a lease, admits new items once and advances the checkpoint', async () => {
    const first = await platform.pollTrigger('hooks.item.listed', { tenantId: 'tenant-h', connectionId, config: { limit: 2 } });
    expect(first.admissions.map((a) => [a.status, (a.trigger.payload as { item: string }).item])).toEqual([
      ['accepted', 'a'],
      ['accepted', 'b'],
    ]);
    expect(first.checkpoint).toMatchObject({ cursor: 'b', partitionKey: connectionId });
    const second = await platform.pollTrigger('hooks.item.listed', { tenantId: 'tenant-h', connectionId, config: { limit: 2 } });
    expect(second.admissions.map((a) => (a.trigger.payload as { item: string }).item)).toEqual(['c']);
    const third = await platform.pollTrigger('hooks.item.listed', { tenantId: 'tenant-h', connectionId });
    expect(third.admissions).toEqual([]);
    expect(third.checkpoint?.cursor).toBe('c');
    const jobs = await platform.dispatch.jobs({ triggerId: 'hooks.item.listed' });
    expect(jobs).toHaveLength(3);
    await expect(platform.pollTrigger('hooks.thing.happened', { tenantId: 'tenant-h' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(platform.pollTrigger('hooks.item.listed', { tenantId: 'tenant-h', config: { limit: -1 } })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
