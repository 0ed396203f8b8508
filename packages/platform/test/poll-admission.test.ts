import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPlatform, defineConnector, defineTrigger, generateSealingKey, isoAt, type Platform } from '../src';
import { platformInternals } from '../src/testing';

const API_TOKEN = 'api-token-poll-canary-61e2';

/** A poll trigger only `alice` may run; its poll can be made to wait for cancellation. */
function guardedFeed() {
  const polls: Array<{ cursor: string | null; token: unknown }> = [];
  let hold = false;
  const listed = defineTrigger({
    id: 'feed.item.listed',
    description: 'New items in a guarded feed',
    deliveryMode: 'poll',
    polling: { defaultIntervalMs: 60_000 },
    config: z.strictObject({}),
    signal: z.strictObject({ item: z.string() }),
    signalType: 'feed.item.listed',
    signalSource: '/ingress/poll/feed',
    scopes: ['feed:read'],
    policy: { actor: { required: true, allowedIds: ['alice'] } },
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    async poll({ cursor }, ctx) {
      polls.push({ cursor, token: ctx.lease.payload.api_token });
      if (hold) {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
      }
      return { signals: [{ item: 'x1' }], dedupeKeys: ['x1'], checkpoint: { cursor: 'x1' } };
    },
    async handler(signal) {
      return { item: signal.item };
    },
  });
  const connector = defineConnector({
    id: 'feed',
    auth: { type: 'api_token', leaseFields: ['api_token'], requestedScopes: ['feed:read'] },
    catalog: { displayName: 'Feed' },
    triggers: [listed],
  });
  return { connector, polls, holdNextPoll: (on: boolean) => void (hold = on) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition never held');
}

describe('poll passes go through admission', () => {
  let platform: Platform;
  let feed: ReturnType<typeof guardedFeed>;
  let connectionId: string;
  afterEach(async () => {
    await platform.close();
  });

  async function setup() {
    feed = guardedFeed();
    platform = await createPlatform({ connectors: [feed.connector], secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
    const started = await platform.startInstall('feed', 'tenant-f', { subject: 'feed-owner' });
    const done = await platform.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'feed-owner', secret: { api_token: API_TOKEN } });
    connectionId = done.connection.connectionId;
  }
  /** Active leases of the connection (revoking counts them; each test checks once). */
  const activeLeases = () => platformInternals(platform).stores.auth.revokeLeases(connectionId, isoAt(Date.now()));

  it('a pass denied by policy takes no lease, never polls and is recorded as a denied run with its audit', async () => {
    await setup();
    const denied = await platform.pollTrigger('feed.item.listed', { tenantId: 'tenant-f', connectionId, actorId: 'mallory' }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'policy_denied' });
    const run = (denied as { run: { runId: string } }).run;
    expect(await platform.fetchRun(run.runId)).toMatchObject({ capabilityId: 'feed.item.listed#poll', status: 'denied', actorId: 'mallory' });
    expect((await platform.events(run.runId)).map((e) => e.type)).toEqual(expect.arrayContaining(['run.denied', 'audit.policy_denied']));
    expect(await platform.attempts(run.runId)).toEqual([]);
    expect(feed.polls).toEqual([]);
    expect(await activeLeases()).toBe(0);
    // The published catalog is unchanged: the pass capability resolves but is not listed.
    expect(platform.capabilities().map((c) => c.id)).toEqual(['feed.item.listed']);
  });

  it('an allowed pass is a ledger run bound to the real credential, under a lease', async () => {
    await setup();
    const { pass, admissions, checkpoint } = await platform.pollTrigger('feed.item.listed', { tenantId: 'tenant-f', connectionId, actorId: 'alice' });
    expect(feed.polls).toEqual([{ cursor: null, token: API_TOKEN }]);
    expect(pass).toMatchObject({ capabilityId: 'feed.item.listed#poll', status: 'completed', input: { config: {}, cursor: null } });
    expect(pass.credentialRef).toMatchObject({ connectionId, authType: 'api_token' });
    expect(admissions.map((a) => a.status)).toEqual(['accepted']);
    expect(checkpoint?.cursor).toBe('x1');
    expect(await activeLeases()).toBe(1);
    const packet = JSON.stringify(await platform.reviewPacket(pass.runId));
    expect(packet).not.toContain(API_TOKEN);
  });

  it('a pass honours its AbortSignal, and close() stops passes in flight', async () => {
    await setup();
    feed.holdNextPoll(true);
    const controller = new AbortController();
    const cancelled = platform.pollTrigger('feed.item.listed', { tenantId: 'tenant-f', connectionId, actorId: 'alice' }, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => feed.polls.length === 1);
    controller.abort();
    const error = (await cancelled) as { code: string; run: { runId: string } };
    expect(error.code).toBe('runtime_cancelled');
    expect((await platform.fetchRun(error.run.runId)).status).toBe('failed');
    expect(await platform.ingress.triggers()).toEqual([]);

    const inFlight = platform.pollTrigger('feed.item.listed', { tenantId: 'tenant-f', connectionId, actorId: 'alice' }).catch((e: unknown) => e);
    await until(() => feed.polls.length === 2);
    await platform.close();
    expect(await inFlight).toMatchObject({ code: 'runtime_cancelled' });
    await expect(platform.pollTrigger('feed.item.listed', { tenantId: 'tenant-f', connectionId, actorId: 'alice' })).rejects.toMatchObject({ code: 'runtime_cancelled' });
  });
});
