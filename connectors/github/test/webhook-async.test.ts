import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, type Platform } from '@integration/platform';
import { github } from '../src';
import { issueOpenedPayload, signGitHubPayload, startFakeGitHub, type FakeGitHub } from '../src/testing';

const WEBHOOK_SECRET = 'whsec_async_path_canary_7c1d';
const TOKEN = 'gho_async_path_canary_token_99';

/**
 * The async path for `github.issue.opened` through the facade: a GitHub-signed POST to
 * `platform.webhooks` (secret held by auth on the connection), durable admission, a
 * `platform.dispatch` worker executing the run, and the trigger handler's projection as its output.
 */
describe('github.issue.opened: webhook → ingress → dispatch → run', () => {
  let fake: FakeGitHub;
  let platform: Platform;
  let worker: ReturnType<Platform['dispatch']['createWorker']>;

  beforeAll(async () => {
    fake = await startFakeGitHub({ tokens: { [TOKEN]: 'octocat' } });
    platform = await createPlatform({
      connectors: [github({ baseUrl: fake.baseUrl })],
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
      webhooks: { routeCacheMs: 0 },
    });
    const started = await platform.startInstall('github', 'tenant-a', { subject: 'octocat', method: 'secret' });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'octocat',
      secret: { access_token: TOKEN, webhook_secret: WEBHOOK_SECRET },
      grantedScopes: ['repo'],
    });
    await platform.webhooks.registerRoute({
      connectorId: 'github',
      tenantId: 'tenant-a',
      connectionId: connection.connectionId,
      triggerId: 'github.issue.opened',
      topology: 'static_per_app',
      tenantResolution: { 'headers.x-github-event': 'issues', 'body.repository.full_name': 'octo-org/widgets' },
      deliveryIdHeaders: ['x-github-delivery'],
      verification: { scheme: 'github', secretRef: { connectionId: connection.connectionId } },
    });
    worker = platform.dispatch.createWorker({ pollIntervalMs: 20, leaseMs: 5_000 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop({ graceMs: 1_000 });
    await platform?.close();
    await fake?.close();
  });

  function post(payload: unknown, deliveryId: string, options: { secret?: string; event?: string } = {}) {
    const body = JSON.stringify(payload);
    return platform.webhooks.fetchHandler(
      new Request('http://hooks.example.com/webhooks/github', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': options.event ?? 'issues',
          'x-github-delivery': deliveryId,
          'x-hub-signature-256': signGitHubPayload(body, options.secret ?? WEBHOOK_SECRET),
        },
      }),
    );
  }

  async function until<T>(probe: () => Promise<T | null>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== null) return value;
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('a signed opened delivery is accepted (202), executed once, and a redelivery is a duplicate (200)', async () => {
    const payload = issueOpenedPayload({ number: 41, title: 'Async widget crash', labels: ['bug', 'p1'] });
    const first = await post(payload, 'b7a9e0f0-0000-11f0-8000-000000000041');
    expect(first.status).toBe(202);
    const again = await post(payload, 'b7a9e0f0-0000-11f0-8000-000000000041');
    expect(again.status).toBe(200);

    const run = await until(async () => {
      const runs = await platform.runs();
      const done = runs.find((r) => r.capabilityId === 'github.issue.opened' && r.status === 'completed');
      return done ?? null;
    });
    expect(run.result).toMatchObject({ repo: 'octo-org/widgets', issueNumber: 41, title: 'Async widget crash', labels: ['bug', 'p1'], author: 'monalisa' });
    const jobs = await until(async () => {
      const all = await platform.dispatch.jobs();
      return all.every((j) => j.status === 'completed') ? all : null;
    });
    expect(jobs).toHaveLength(1);
    const [attempt] = await platform.attempts(run.runId);
    expect(attempt!.output).toEqual(run.result);
    const types = (await platform.events(run.runId)).map((e) => e.type);
    expect(types).toContain('connector.github.issue.received');
    expect((await platform.runs()).filter((r) => r.capabilityId === 'github.issue.opened')).toHaveLength(1);
  });

  it('a bad signature is 401, another action 422, another event 404 — none creates a run', async () => {
    const before = (await platform.runs()).length;
    expect((await post(issueOpenedPayload(), 'd-bad-sig', { secret: 'wrong-secret' })).status).toBe(401);
    expect((await post({ ...issueOpenedPayload(), action: 'edited' }, 'd-edited')).status).toBe(422);
    expect((await post({ zen: 'Practicality beats purity.', hook_id: 1 }, 'd-ping', { event: 'ping' })).status).toBe(404);
    expect((await platform.runs()).length).toBe(before);
  });

  it('neither the webhook secret nor the token reaches a durable record', async () => {
    const parts: unknown[] = [await platform.runs(), await platform.connections()];
    for (const run of await platform.runs()) parts.push(await platform.events(run.runId), await platform.attempts(run.runId));
    const text = JSON.stringify(parts);
    expect(text).not.toContain(WEBHOOK_SECRET);
    expect(text).not.toContain(TOKEN);
  });
});
