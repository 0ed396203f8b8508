import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, isIntegrationError, ManualClock, type Platform } from '@integration/platform';
import { durableRecordsText, storeTiers, type TierInstance } from '@integration/platform/testing';
import { github } from '../src';
import { gitHubConformanceFixtures } from '../src/conformance-fixtures';
import { CONFORMANCE_SANDBOX_REPO } from '../src/conformance-fixtures';
import { defaultFakeRepos, startFakeGitHub, type FakeGitHub } from '../src/testing';

const CANARY = 'gho_PLATFORM_CANARY_5e1c2b7d9a0f4e3c';

const tiers = await storeTiers();

/** Every operation through the real platform (auth install, control plane, direct runtime, ledger) on each store tier. */
for (const tier of tiers) describe.skipIf(tier.unavailable !== null)(`github connector through createPlatform (${tier.name})`, () => {
  let fake: FakeGitHub;
  let platform: Platform;
  let instance: TierInstance;
  let connectionId: string;
  const payloadBytes = new Map<string, Uint8Array>();

  beforeAll(async () => {
    instance = await tier.create();
    fake = await startFakeGitHub({ tokens: { [CANARY]: 'octocat' }, repos: [...defaultFakeRepos(), CONFORMANCE_SANDBOX_REPO] });
    platform = await createPlatform({
      connectors: [github({ baseUrl: fake.baseUrl })],
      stores: instance.stores,
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
      clock: new ManualClock(Date.parse('2026-01-10T12:00:00Z')),
      artifactPayloads: {
        name: 'test-memory',
        put: async (key, bytes) => void payloadBytes.set(key, bytes),
        get: async (key) => payloadBytes.get(key) ?? null,
      },
    });
    const started = await platform.startInstall('github', 'tenant-a', { subject: 'octocat', actorId: 'ops', method: 'secret' });
    const completed = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'octocat',
      secret: { access_token: CANARY, webhook_secret: 'whsec_platform_canary_secret' },
      grantedScopes: ['repo'],
    });
    connectionId = completed.connection.connectionId;
  });
  afterAll(async () => {
    await platform?.close();
    await instance?.cleanup();
    await fake?.close();
  });

  it('a repo-scoped operation without a connection is refused before any run (connection_required)', async () => {
    const error = await platform.invoke('github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 1 }).catch((e: unknown) => e);
    expect(isIntegrationError(error) && error.code).toBe('connection_required');
    expect(fake.requests).toHaveLength(0);
  });

  it('malformed input is invalid_input with no run and no request', async () => {
    const error = await platform.invoke('github.issue.fetch', { repo: 'not-a-repo', issueNumber: 0 }, { connectionId }).catch((e: unknown) => e);
    expect(isIntegrationError(error) && error.code).toBe('invalid_input');
    expect((error as { run?: unknown }).run).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  const operations = gitHubConformanceFixtures.filter((f) => f.capabilityId !== 'github.issue.opened');

  it.each(operations.map((f) => [f.name!, f] as const))('%s: twice through platform.invoke, identical results', async (_name, fixture) => {
    const results = [];
    for (let i = 0; i < 2; i += 1) {
      const result = await platform.invoke(fixture.capabilityId, fixture.input, { connectionId, actorId: 'ops', tenantId: 'tenant-a' });
      results.push(result);
    }
    const [first, second] = results as [(typeof results)[0], (typeof results)[0]];
    expect(first.run.status).toBe('completed');
    expect(second.output).toEqual(first.output);
    const expected = fixture.expect!.output as Record<string, unknown>;
    // The fixture expectations hold, except the binding digest: this lease carries another token.
    expect({ ...(first.output as Record<string, unknown>), authBinding: expected.authBinding }).toEqual(expected);
    const types = async (runId: string) => (await platform.events(runId)).map((e) => e.type);
    expect(await types(first.run.runId)).toEqual([
      'run.started',
      'attempt.started',
      fixture.expect!.eventTypes![0],
      'attempt.completed',
      'artifact.recorded',
      'run.completed',
    ]);
    expect(await types(second.run.runId)).toEqual(await types(first.run.runId));
    const artifacts = await platform.runArtifacts(first.run.runId);
    expect(artifacts.map((a) => a.artifactType)).toEqual(['tool_output']);
    expect((await platform.runArtifacts(second.run.runId)).map((a) => a.checksum)).toEqual(artifacts.map((a) => a.checksum));
    const stored = payloadBytes.get(artifacts[0]!.payloadRef.key);
    expect(stored, 'artifact bytes are in the payload store').toBeDefined();
    const content = JSON.parse(Buffer.from(stored!).toString('utf8')) as { operationId: string; request: { method: string; path: string }; response: { status: number } };
    expect(content).toMatchObject({ operationId: fixture.capabilityId, request: { path: expect.stringMatching(/^\/repos\/octo-org\//) }, response: { status: expect.any(Number) } });
  });

  it('a provider failure is a failed run with the connector error, a warn event and an error artifact', async () => {
    fake.respondOnce({ path: '/repos/octo-org/widgets/issues/1' }, { status: 429, headers: { 'retry-after': '3' }, body: { message: `slow down ${CANARY}` } });
    const error = await platform.invoke('github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 1 }, { connectionId }).catch((e: unknown) => e);
    expect(isIntegrationError(error) && error.code).toBe('connector_rate_limited');
    const run = (error as { run: { runId: string; status: string } }).run;
    expect(run.status).toBe('failed');
    const events = await platform.events(run.runId);
    const failed = events.find((e) => e.type === 'connector.github.issue.fetch.failed');
    expect(failed).toMatchObject({ level: 'warn', payload: { providerCode: 'github.rate_limited', httpStatus: 429 } });
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(3_000);
  });

  it('the token appears in no durable record (runs, attempts, events, artifacts, review packets, raw tier bytes)', async () => {
    expect((await platform.runs()).length).toBeGreaterThan(10);
    const durable = await durableRecordsText(platform);
    const raw = instance.rawContents ? (await instance.rawContents()).toString('latin1') : '';
    const text = durable + [...payloadBytes.values()].map((b) => Buffer.from(b).toString('utf8')).join('\n') + raw;
    expect(payloadBytes.size).toBeGreaterThan(10);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('whsec_platform_canary_secret');
    expect(fake.requests.every((r) => r.headers.authorization === `token ${CANARY}`)).toBe(true);
  });
});
