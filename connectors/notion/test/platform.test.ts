import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, isIntegrationError, type Platform } from '@integration/platform';
import { durableRecordsText } from '@integration/platform/testing';
import { allNotionScopes, notion } from '../src/index';
import { fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';

const CANARY = 'secret_CANARY_notion_7f3e9a12c4d5';
const oauthClient = { clientId: 'notion-client-id', clientSecret: 'notion-client-secret-CANARY-91af' };

let fake: FakeNotion;
let platform: Platform;
let connectionId: string;

beforeAll(async () => {
  fake = await startFakeNotion({ tokens: [CANARY], oauthClient });
  platform = await createPlatform({
    connectors: [notion({ baseUrl: fake.baseUrl })],
    secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
    environment: 'test',
    oauthClients: { notion: { ...oauthClient, redirectUri: 'https://app.example.com/oauth/notion/callback' } },
  });
  const started = await platform.startInstall('notion', 'tenant-a', { subject: 'notion-bot', actorId: 'ops', method: 'secret', requestedScopes: allNotionScopes });
  const completed = await platform.completeInstall(started.install.installId, {
    callbackToken: started.callbackToken,
    subject: 'notion-bot',
    secret: { access_token: CANARY },
    grantedScopes: allNotionScopes,
  });
  connectionId = completed.connection.connectionId;
});
afterAll(async () => {
  await platform?.close();
  await fake?.close();
});


describe('notion through platform.invoke (auth install, control plane, direct runtime)', () => {
  it('every operation runs twice with identical outputs and the same event/artifact shape', async () => {
    const fixtures = platform.fetchConnector('notion').conformance!.fixtures;
    expect(fixtures.map((f) => f.capabilityId).sort()).toEqual(platform.capabilities().filter((c) => c.kind === 'operation').map((c) => c.id).sort());
    for (const fixture of fixtures) {
      const first = await platform.invoke(fixture.capabilityId, fixture.input, { connectionId, actorId: 'ops', tenantId: 'tenant-a' });
      const second = await platform.invoke(fixture.capabilityId, fixture.input, { connectionId, actorId: 'ops', tenantId: 'tenant-a' });
      expect(second.output, fixture.name).toEqual(first.output);
      expect(first.run.status).toBe('completed');
      const suffix = fixture.capabilityId.replace('notion.', '');
      const types = (await platform.events(first.run.runId)).map((e) => e.type);
      expect(types).toEqual(['run.started', 'attempt.started', `connector.notion.${suffix}.completed`, 'attempt.completed', 'artifact.recorded', 'run.completed']);
      expect((await platform.events(second.run.runId)).map((e) => e.type)).toEqual(types);
      const [artifact] = await platform.runArtifacts(first.run.runId);
      const [again] = await platform.runArtifacts(second.run.runId);
      expect(artifact).toMatchObject({ artifactType: 'tool_output' });
      expect(again!.checksum).toBe(artifact!.checksum);
    }
  });

  it('projectedCatalogEntries lists the Notion actions and sensor as JSON', () => {
    const [entry] = platform.projectedCatalogEntries();
    expect(entry).toMatchObject({ connectorId: 'notion', displayName: 'Notion', category: 'knowledge_management' });
    expect(entry!.operations.map((o) => o.actionName).sort()).toEqual(
      ['block_children_append', 'block_children_list', 'comment_create', 'content_search', 'data_source_query', 'page_create', 'page_fetch', 'page_update', 'workspace_self'],
    );
    expect(entry!.triggers.map((t) => t.sensorName)).toEqual(['page_recently_edited']);
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  it('the lease carries only access_token; outputs carry authBinding', async () => {
    const result = await platform.invoke('notion.users.get_self', {}, { connectionId });
    const lease = await platform.fetchLease(result.attempt.credentialLeaseId!);
    expect(lease.payload).toEqual({ access_token: CANARY });
    expect((result.output as { authBinding: string }).authBinding).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${CANARY}`);
  });

  it('a preflight refusal is a failed run with the typed error and no write request', async () => {
    fake.clearRequests();
    const error = await platform
      .invoke('notion.pages.create', { parent: { data_source_id: fakeIds.tasksDataSource }, properties: { Nope: { number: 1 } } }, { connectionId })
      .catch((e: unknown) => e);
    expect(isIntegrationError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'connector_invalid_request' });
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({ providerCode: 'notion.preflight_validation', upstream: { phase: 'preflight' } });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    const run = (error as { run?: { runId: string; status: string } }).run!;
    expect(run.status).toBe('failed');
    expect((await platform.events(run.runId)).map((e) => e.type)).toContain('connector.notion.pages.create.failed');
  });

  it('provider errors (404, 429) fail the run with mapped classes', async () => {
    const missing = await platform.invoke('notion.pages.retrieve', { page_id: '0e000000-0000-4000-8000-00000000beef' }, { connectionId }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'connector_invalid_request', details: { providerCode: 'notion.object_not_found' } });
    fake.failNext({ path: '/v1/search', status: 429, code: 'rate_limited', message: 'slow down', headers: { 'retry-after': '2' } });
    const limited = await platform.invoke('notion.search.search', { query: 'x' }, { connectionId }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: 'connector_rate_limited', retryable: true, retryAfterMs: 2000 });
  });

  it('the canary token never reaches a durable record, event, artifact reference or review packet', async () => {
    const durable = await durableRecordsText(platform);
    expect(durable.length).toBeGreaterThan(1000);
    expect(durable).not.toContain(CANARY);
  });

  it('OAuth install: authorize URL with owner=user, code exchange with Basic auth, refresh token kept out of leases', async () => {
    const started = await platform.startInstall('notion', 'tenant-b', { subject: 'workspace-owner', actorId: 'ops', method: 'oauth' });
    const url = new URL(started.authorizationUrl!);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.baseUrl}/v1/oauth/authorize`);
    expect(url.searchParams.get('owner')).toBe('user');
    expect(url.searchParams.has('scope')).toBe(false);
    expect(url.searchParams.get('client_id')).toBe(oauthClient.clientId);
    fake.clearRequests();
    const completed = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'workspace-owner',
      code: 'auth-code-123',
      state: url.searchParams.get('state')!,
    });
    const exchange = fake.requests.find((r) => r.path === '/v1/oauth/token')!;
    expect(exchange.method).toBe('POST');
    const basic = Buffer.from(exchange.headers.authorization!.replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(basic.split(':').map(decodeURIComponent)).toEqual([oauthClient.clientId, oauthClient.clientSecret]);
    expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', code: 'auth-code-123' });
    const lease = await platform.requestLease(completed.connection.connectionId, { requiredScopes: ['notion.content.read'], actorId: 'ops' });
    expect(Object.keys(lease.payload)).toEqual(['access_token']);
    expect(lease.payload.access_token).toMatch(/^secret_oauth_/);
    const result = await platform.invoke('notion.users.get_self', {}, { connectionId: completed.connection.connectionId });
    expect(result.output).toMatchObject({ data: { id: fakeIds.bot } });
    expect(await durableRecordsText(platform)).not.toMatch(/nrt_[0-9a-f]{32}/);
  });
});
