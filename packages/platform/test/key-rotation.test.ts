import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectorError, createPlatform, defineConnector, defineOperation, defineTrigger, generateSealingKey, REDACTED, secret, signWebhook, type Platform } from '../src';
import { storeTiers, type StoreTierFactory, type TierInstance } from '../src/testing';

const INLINE_SECRET = 'whsec-inline-canary-7c41e0b9d2';
const API_TOKEN = 'api-token-canary-5be19f03aa';
const K1 = generateSealingKey();
const K2 = generateSealingKey();

const pinged = defineTrigger({
  id: 'rot.ping',
  description: 'A signed ping',
  deliveryMode: 'webhook',
  config: z.strictObject({}),
  signal: z.strictObject({ n: z.number().int() }),
  signalType: 'rot.ping',
  signalSource: '/rot',
  deliveryIdHeader: 'x-rot-delivery',
  consumerSurface: { mode: 'connector_local', reason: 'test' },
  handler: async (signal) => ({ n: signal.n }),
});
const CALLER_KEY = 'caller-key-canary-93d1c2';
/** What the lookup handler was given, attempt by attempt. */
const received: string[] = [];
const lookup = defineOperation({
  id: 'rot.lookup',
  description: 'A lookup whose caller passes an API key (a declared secret); the first attempt fails',
  input: z.strictObject({ query: z.string(), apiKey: secret(z.string()) }),
  output: z.strictObject({ found: z.boolean() }),
  consumerSurface: { mode: 'connector_local', reason: 'test' },
  async handler(input, ctx) {
    received.push(input.apiKey);
    if (ctx.attempt === 1) throw new ConnectorError({ class: 'unavailable', message: 'try again' });
    return { found: true };
  },
});
const connector = defineConnector({
  id: 'rot',
  auth: { type: 'api_token', leaseFields: ['api_token'] },
  catalog: { displayName: 'Rotation' },
  operations: [lookup],
  triggers: [pinged],
});

const tiers = (await storeTiers()).filter((t) => t.name !== 'postgres' || t.unavailable === null);

describe.each(tiers)('key rotation re-seals inline webhook route secrets on the $name tier', (tier: StoreTierFactory) => {
  let instance: TierInstance;
  afterEach(async () => {
    await instance.cleanup();
  });

  // Platforms over one set of stores stand for deployments with different key rings; closing one
  // would close the shared stores, so only the tier's cleanup closes them.
  const deploy = (keys: Record<string, string>, activeKeyId: string): Promise<Platform> =>
    createPlatform({ connectors: [connector], stores: instance.stores, secrets: { keys, activeKeyId } });

  /** A static route verified with an inline secret (sealed under the deployment's active key). */
  const inlineRoute = (platform: Platform, tenantId: string) =>
    platform.webhooks.registerRoute({
      connectorId: 'rot',
      tenantId,
      triggerId: 'rot.ping',
      topology: 'static_per_app',
      verification: { scheme: 'hmac_sha256', header: 'x-rot-signature', secret: INLINE_SECRET },
    });

  let delivery = 0;
  const ping = (platform: Platform) => {
    const body = JSON.stringify({ n: (delivery += 1) });
    const headers = signWebhook('hmac_sha256', { secret: INLINE_SECRET, rawBody: body, header: 'x-rot-signature' });
    return platform.webhooks.fetchHandler(
      new Request('http://localhost/webhooks/rot', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-rot-delivery': `d-${delivery}`, ...headers },
        body,
      }),
    );
  };

  it('rewrapCredentials() re-seals the route secret with the credentials, so the old key can go', async () => {
    instance = await tier.create();
    const before = await deploy({ k1: K1 }, 'k1');
    const started = await before.startInstall('rot', 'tenant-r', { subject: 'owner' });
    await before.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'owner', secret: { api_token: API_TOKEN } });
    const route = await inlineRoute(before, 'tenant-r');
    expect(route.verification?.sealedSecret?.kid).toBe('k1');
    expect((await ping(before)).status).toBe(202);
    // A run whose input holds a declared secret keeps its exact input sealed under k1.
    received.length = 0;
    const failure = (await before.invoke('rot.lookup', { query: 'q', apiKey: CALLER_KEY }).catch((error: unknown) => error)) as { code: string; run: { runId: string } };
    expect(failure.code).toBe('connector_unavailable');
    const run = await before.fetchRun(failure.run.runId);
    expect(run.input).toEqual({ query: 'q', apiKey: REDACTED });
    expect(run.sealedInput?.kid).toBe('k1');

    // Without the rewrap, a deployment that dropped k1 cannot open the route secret.
    const tooEarly = await deploy({ k2: K2 }, 'k2');
    const refused = await ping(tooEarly);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(await refused.json())).not.toContain(INLINE_SECRET);

    const rotating = await deploy({ k1: K1, k2: K2 }, 'k2');
    expect(await rotating.rewrapCredentials()).toEqual({ credentials: 1, installs: 0, routes: 1, runInputs: 1, unsealable: [] });
    const stored = await rotating.webhooks.fetchRoute(route.routeId);
    expect(stored.verification?.sealedSecret?.kid).toBe('k2');
    expect(stored.revision).toBe(route.revision + 1);
    expect((await rotating.fetchRun(run.runId)).sealedInput?.kid).toBe('k2');
    // A second pass finds nothing left under k1.
    expect(await rotating.rewrapCredentials()).toEqual({ credentials: 0, installs: 0, routes: 0, runInputs: 0, unsealable: [] });

    const after = await deploy({ k2: K2 }, 'k2');
    expect((await ping(after)).status).toBe(202);
    // The retry, under a ring without k1, runs on the real key the caller passed.
    const retried = await after.executeRun(run.runId);
    expect(retried.run.status).toBe('completed');
    expect(received).toEqual([CALLER_KEY, CALLER_KEY]);
    if (instance.rawContents) {
      const raw = await instance.rawContents();
      expect(raw.includes(INLINE_SECRET)).toBe(false);
      expect(raw.includes(API_TOKEN)).toBe(false);
      expect(raw.includes(CALLER_KEY)).toBe(false);
    }
  });

  it('a route whose key is already gone is reported unsealable, and the others are still re-sealed', async () => {
    instance = await tier.create();
    const old = await deploy({ k1: K1 }, 'k1');
    const lost = await inlineRoute(old, 'tenant-lost');
    const middle = await deploy({ k1: K1, k2: K2 }, 'k2');
    const kept = await inlineRoute(middle, 'tenant-kept');
    const k3 = generateSealingKey();
    const next = await deploy({ k2: K2, k3 }, 'k3');
    expect(await next.rewrapCredentials()).toEqual({ credentials: 0, installs: 0, routes: 1, runInputs: 0, unsealable: [lost.routeId] });
    expect((await next.webhooks.fetchRoute(kept.routeId)).verification?.sealedSecret?.kid).toBe('k3');
    expect((await next.webhooks.fetchRoute(lost.routeId)).verification?.sealedSecret?.kid).toBe('k1');
  });
});
