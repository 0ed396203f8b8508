import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerStoreBattery } from '@integration/conformance';
import { memoryStores } from '@integration/store-memory';
import {
  createPlatform,
  defineConnector,
  defineOperation,
  defineTrigger,
  generateSealingKey,
  signWebhook,
  type Platform,
  type Run,
  type StoreCapabilities,
} from '../src';
import { outsideStores, type OutsideStores } from './support/outside-stores';

const WEBHOOK_SECRET = 'whsec-outside-tier-5c2e91';
const SERIAL: StoreCapabilities = { serializedTransactions: true };
const PARALLEL: StoreCapabilities = { serializedTransactions: false };

// The shared battery holds the outside tier to the same behaviour as the built-in ones.
registerStoreBattery({ describe, it }, { name: 'wrapped-memory', create: async () => outsideStores(memoryStores(), SERIAL) });

function outsideConnector() {
  const ping = defineOperation({
    id: 'outside.ping.send',
    description: 'Answer a ping',
    input: z.strictObject({ n: z.number().int() }),
    output: z.strictObject({ pong: z.number().int() }),
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    async handler(input) {
      return { pong: input.n + 1 };
    },
  });
  const happened = defineTrigger({
    id: 'outside.thing.happened',
    description: 'Something happened',
    deliveryMode: 'webhook',
    config: z.strictObject({}),
    signal: z.strictObject({ id: z.string() }),
    signalType: 'outside.thing.happened',
    signalSource: '/ingress/webhook/outside/thing.happened',
    verification: { scheme: 'hmac_sha256', secretName: 'webhook_secret', header: 'x-outside-signature' },
    deliveryIdHeader: 'x-outside-delivery',
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    async handler(signal) {
      return { handled: signal.id };
    },
  });
  return defineConnector({
    id: 'outside',
    auth: { type: 'api_token', leaseFields: ['api_token'], secretNames: ['webhook_secret'] },
    catalog: { displayName: 'Outside' },
    operations: [ping],
    triggers: [happened],
  });
}

async function platformOn(stores: OutsideStores): Promise<{ platform: Platform; connectionId: string }> {
  const platform = await createPlatform({
    connectors: [outsideConnector()],
    stores,
    secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
  });
  const started = await platform.startInstall('outside', 'tenant-o', { subject: 'owner' });
  const completed = await platform.completeInstall(started.install.installId, {
    callbackToken: started.callbackToken,
    subject: 'owner',
    secret: { api_token: 'api-token-outside-1', webhook_secret: WEBHOOK_SECRET },
  });
  await platform.webhooks.registerRoute({
    connectorId: 'outside',
    tenantId: 'tenant-o',
    triggerId: 'outside.thing.happened',
    topology: 'static_per_app',
    deliveryIdHeaders: ['x-outside-delivery'],
    verification: { scheme: 'hmac_sha256', header: 'x-outside-signature', secret: WEBHOOK_SECRET },
  });
  return { platform, connectionId: completed.connection.connectionId };
}

function delivery(id: string): Request {
  const body = JSON.stringify({ id });
  const headers = signWebhook('hmac_sha256', { secret: WEBHOOK_SECRET, rawBody: body, header: 'x-outside-signature' });
  return new Request('http://localhost/webhooks/outside', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-outside-delivery': id, ...headers },
    body,
  });
}

async function waitForRun(platform: Platform, runId: string, status: Run['status']): Promise<Run> {
  for (let i = 0; i < 400; i += 1) {
    const run = await platform.fetchRun(runId);
    if (run.status === status) return run;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`run ${runId} never reached ${status}`);
}

/** Transactions the platform opens to admit `count` webhook deliveries arriving at once. */
async function transactionsToAdmit(platform: Platform, stores: OutsideStores, count: number): Promise<number> {
  const before = stores.transactions;
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => platform.webhooks.fetchHandler(delivery(`burst-${i}`))));
  expect(responses.map((r) => r.status)).toEqual(Array.from({ length: count }, () => 202));
  return stores.transactions - before;
}

describe('a Stores implementation the platform does not know by name', () => {
  const open: Platform[] = [];
  afterEach(async () => {
    for (const platform of open.splice(0)) await platform.close();
  });

  it('runs invoke and the webhook → dispatch → completed path', async () => {
    const stores = outsideStores(memoryStores(), SERIAL);
    const { platform, connectionId } = await platformOn(stores);
    open.push(platform);
    const { run, output } = await platform.invoke('outside.ping.send', { n: 41 }, { connectionId });
    expect(output).toEqual({ pong: 42 });
    expect(run.status).toBe('completed');

    const worker = platform.dispatch.createWorker({ concurrency: 1, pollIntervalMs: 10 });
    worker.start();
    try {
      const accepted = await platform.webhooks.fetchHandler(delivery('thing-1'));
      expect(accepted.status).toBe(202);
      const { runId } = (await accepted.json()) as { runId: string };
      expect((await waitForRun(platform, runId, 'completed')).result).toEqual({ handled: 'thing-1' });
      expect((await platform.webhooks.fetchHandler(delivery('thing-1'))).status).toBe(200);
    } finally {
      await worker.stop();
    }
  });

  // Group commit pays off only where transactions queue anyway; the platform must decide from the
  // declared capability, whatever the tier is called.
  it.each([
    { declared: SERIAL, tier: 'wrapped-memory', grouped: true },
    { declared: PARALLEL, tier: 'wrapped-memory', grouped: false },
    { declared: SERIAL, tier: 'postgres', grouped: true },
    { declared: PARALLEL, tier: 'memory', grouped: false },
  ])('admissions share transactions exactly when serializedTransactions is $declared.serializedTransactions (named $tier)', async ({ declared, tier, grouped }) => {
    const stores = outsideStores(memoryStores(), declared, tier);
    const { platform } = await platformOn(stores);
    open.push(platform);
    const burst = 8;
    const transactions = await transactionsToAdmit(platform, stores, burst);
    if (grouped) expect(transactions).toBeLessThan(burst);
    else expect(transactions).toBeGreaterThanOrEqual(burst);
  });
});
