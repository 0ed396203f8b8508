import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, defineConnector, defineOperation, IntegrationError, projectCatalogEntries, REDACTED } from '@integration/contracts';
import { z } from 'zod';
import { allNotionScopes, notion, notionInstallBinding, type NotionOptions } from '../src/index';
import { fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';
import { runCapability } from './harness';

describe('notion() definition', () => {
  const connector = notion();

  it('publishes nine direct operations and one poll trigger with common consumer surfaces', () => {
    expect(connector.id).toBe('notion');
    expect(connector.operations.map((o) => o.id)).toEqual([
      'notion.blocks.append_children',
      'notion.blocks.list_children',
      'notion.comments.create',
      'notion.data_sources.query',
      'notion.pages.create',
      'notion.pages.retrieve',
      'notion.pages.update',
      'notion.search.search',
      'notion.users.get_self',
    ]);
    expect(connector.triggers.map((t) => t.id)).toEqual(['notion.pages.recently_edited']);
    expect(connector.runtimeFamilies).toEqual(['direct']);
    const actions = connector.operations.map((o) => (o.consumerSurface.mode === 'common' ? o.consumerSurface.actionName : null));
    expect(actions).toEqual(['block_children_append', 'block_children_list', 'comment_create', 'data_source_query', 'page_create', 'page_fetch', 'page_update', 'content_search', 'workspace_self']);
    expect(connector.catalog).toMatchObject({ displayName: 'Notion', category: 'knowledge_management', maturity: 'beta', publication: 'public' });
    const late = connector.operations.filter((o) => String(o.metadata.schemaStrategy).startsWith('late_bound')).map((o) => o.id);
    expect(late).toEqual(['notion.data_sources.query', 'notion.pages.create', 'notion.pages.retrieve', 'notion.pages.update']);
  });

  it('auth: OAuth2 against api.notion.com, lease fields exclude the refresh token', () => {
    expect(connector.auth).toMatchObject({
      type: 'oauth2',
      bindingKind: 'connection_id',
      leaseFields: ['access_token'],
      secretNames: [],
      requestedScopes: allNotionScopes,
      oauth: {
        authorizationUrl: 'https://api.notion.com/v1/oauth/authorize',
        tokenUrl: 'https://api.notion.com/v1/oauth/token',
        tokenAuthMethod: 'client_secret_basic',
        extraAuthorizeParams: { owner: 'user' },
      },
    });
    expect(typeof connector.auth.installBinding).toBe('function');
  });

  const at = { now: Date.parse('2026-01-01T00:00:00.000Z') };

  it('installBinding turns expires_in into an expiry on the platform clock', () => {
    const bound = notionInstallBinding({ access_token: 'secret_access_123456', token_type: 'bearer', expires_in: 3600 }, at);
    expect(bound.expiresAt).toBe('2026-01-01T01:00:00.000Z');
  });

  it('installBinding keeps the refresh token in the sealed secret only', () => {
    const bound = notionInstallBinding({
      access_token: 'secret_access_123456',
      token_type: 'bearer',
      refresh_token: 'nrt_refresh_123456',
      bot_id: 'bot-1',
      workspace_id: 'ws-1',
      workspace_name: 'Acme',
      workspace_icon: null,
      owner: { type: 'workspace', workspace: true },
      duplicated_template_id: null,
      expires_at: 1_800_000_000,
    }, at);
    expect(bound.secret).toEqual({ access_token: 'secret_access_123456', refresh_token: 'nrt_refresh_123456', bot_id: 'bot-1', workspace_id: 'ws-1', workspace_name: 'Acme' });
    expect(bound.expiresAt).toBe('2027-01-15T08:00:00.000Z');
    expect(bound.metadata).toEqual({ botId: 'bot-1', workspaceId: 'ws-1', workspaceName: 'Acme', ownerType: 'workspace' });
    expect(JSON.stringify(bound.metadata)).not.toContain('secret_access');
    const leaseView = Object.fromEntries(Object.entries(bound.secret).filter(([k]) => connector.auth.leaseFields.includes(k)));
    expect(leaseView).toEqual({ access_token: 'secret_access_123456' });
    expect(() => notionInstallBinding({ token_type: 'bearer' }, at)).toThrow(ConnectorError);
    // A refresh response may carry only the new token pair.
    expect(notionInstallBinding({ access_token: 'secret_new_1234567', refresh_token: 'nrt_new_1234567', token_type: 'bearer' }, at).secret).toEqual({
      access_token: 'secret_new_1234567',
      refresh_token: 'nrt_new_1234567',
    });
    const invalid = (() => {
      try {
        notionInstallBinding({ access_token: 12345678, bot_id: 'secret_x_1234567' }, at);
        return null;
      } catch (error) {
        return error as ConnectorError;
      }
    })();
    expect(invalid).toBeInstanceOf(ConnectorError);
    expect(invalid!.message).toContain('access_token');
    expect(JSON.stringify(invalid!.toJSON())).not.toContain('secret_x_1234567');
  });

  it('options are validated: base URL, API version, timeout', () => {
    const bad: NotionOptions[] = [{ baseUrl: 'ftp://example.com' }, { notionVersion: 'latest' }, { timeoutMs: 0 }, { extra: true } as unknown as NotionOptions];
    for (const options of bad) {
      const error = (() => {
        try {
          notion(options);
        } catch (e) {
          return e;
        }
      })();
      expect(error, JSON.stringify(options)).toBeInstanceOf(IntegrationError);
      expect((error as IntegrationError).code).toBe('invalid_argument');
    }
    expect(notion({ baseUrl: 'http://127.0.0.1:9/' }).auth.oauth!.tokenUrl).toBe('http://127.0.0.1:9/v1/oauth/token');
  });

  it('an extra operation reusing a Notion action name is a definition-time error', () => {
    const clash = defineOperation({
      id: 'notion.pages.create_fast',
      description: 'clashes with page_create',
      input: z.strictObject({ title: z.string() }),
      output: z.strictObject({ id: z.string() }),
      scopes: ['notion.content.insert'],
      handler: async () => ({ id: 'x' }),
      consumerSurface: { mode: 'common', normalizedId: 'page.create_fast', actionName: 'page_create' },
    });
    const build = () =>
      defineConnector({ id: 'notion', auth: connector.auth, catalog: connector.catalog, operations: [...connector.operations, clash], triggers: connector.triggers });
    expect(build).toThrow(IntegrationError);
    expect(build).toThrow(/action name "page_create" is used by more than one operation/);
  });

  it('projects onto JSON-encodable catalog entries for consumers', () => {
    const [entry] = projectCatalogEntries([connector]);
    expect(entry!.operations).toHaveLength(9);
    expect(entry!.triggers).toEqual([
      expect.objectContaining({
        triggerId: 'notion.pages.recently_edited',
        sensorName: 'page_recently_edited',
        deliveryMode: 'poll',
        dedupe: { strategy: 'page_id_last_edited_time', description: 'page_id:last_edited_time' },
      }),
    ]);
    const query = entry!.operations.find((o) => o.operationId === 'notion.data_sources.query')!;
    expect(query.inputJsonSchema).toMatchObject({ type: 'object', required: ['data_source_id'] });
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });
});

describe('conformance spec', () => {
  it('setup starts a fake Notion API that accepts canary tokens; every fixture completes; teardown stops it', async () => {
    const spec = notion().conformance!;
    expect(spec.fixtures.map((f) => f.capabilityId).sort()).toEqual(notion().operations.map((o) => o.id));
    const env = await spec.setup!();
    try {
      for (const fixture of spec.fixtures) {
        const run = await runCapability(env.connector!, fixture.capabilityId, fixture.input, { token: 'canary_conformance_token_42' });
        expect(run.status, fixture.name).toBe('completed');
        expect(run.events.map((e) => e.type)).toEqual(fixture.expect!.eventTypes);
        expect(run.artifacts.map((a) => a.input.type)).toEqual(fixture.expect!.artifactTypes);
      }
    } finally {
      await env.teardown!();
    }
    const after = await runCapability(env.connector!, 'notion.users.get_self', {}, { token: 'canary_conformance_token_42' });
    expect(after.error).toMatchObject({ errorClass: 'unavailable' });
  });
});

describe('canary token', () => {
  const CANARY = 'secret_CANARY_ntn_5b7e0c9d2f41';
  let fake: FakeNotion;
  beforeAll(async () => {
    fake = await startFakeNotion({ tokens: [CANARY] });
  });
  afterAll(() => fake.close());

  it('never appears in outputs, events, artifacts, logs or errors (success and failure)', async () => {
    const connector = notion({ baseUrl: fake.baseUrl });
    // The provider echoes the token in an error body and a header: it must still not leak.
    fake.failNext({ path: '/v1/users/me', status: 400, code: 'validation_error', message: `bad token ${CANARY}`, headers: { 'x-debug-token': CANARY } });
    const runs = [
      await runCapability(connector, 'notion.users.get_self', {}, { token: CANARY }),
      ...(await Promise.all(connector.conformance!.fixtures.map((f) => runCapability(connector, f.capabilityId, f.input, { token: CANARY })))),
      await runCapability(connector, 'notion.pages.retrieve', { page_id: '0e000000-0000-4000-8000-00000000beef' }, { token: CANARY }),
      await runCapability(connector, 'notion.pages.create', { parent: { data_source_id: fakeIds.tasksDataSource }, properties: { Bogus: { number: 1 } } }, { token: CANARY }),
    ];
    expect(runs[0]!.status).toBe('failed');
    expect(runs.filter((r) => r.status === 'completed')).toHaveLength(9);
    for (const run of runs) {
      const error = run.error instanceof IntegrationError ? { json: run.error.toJSON(), message: run.error.message, stack: run.error.stack } : null;
      const text = JSON.stringify({ output: run.output, events: run.events, artifacts: run.artifacts.map((a) => ({ text: a.text, meta: a.input.metadata })), logs: run.logs, error });
      expect(text).not.toContain(CANARY);
    }
    const echoed = runs[0]!.error as ConnectorError;
    expect(echoed.message).toContain(REDACTED);
    // The fake saw the real token, so the redaction is not vacuous.
    expect(fake.requests.some((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(true);
  });
});
