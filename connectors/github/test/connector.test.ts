import { describe, expect, it } from 'vitest';
import { IntegrationError, jsonSchemaOf, projectCatalogEntries } from '@integration/contracts';
import { github, gitHubInstallBinding } from '../src';
import { startFakeGitHub } from '../src/testing';
import { runCapability } from './support/harness';
import { TOKEN } from './support/fixtures';

const operations = [
  ['github.comment.create', 'comment.create', 'comment_create'],
  ['github.comment.update', 'comment.update', 'comment_update'],
  ['github.issue.close', 'work_item.close', 'work_item_close'],
  ['github.issue.create', 'work_item.create', 'work_item_create'],
  ['github.issue.fetch', 'work_item.fetch', 'work_item_fetch'],
  ['github.issue.label', 'work_item.label_add', 'work_item_label_add'],
  ['github.issue.list', 'work_item.list', 'work_item_list'],
  ['github.issue.update', 'work_item.update', 'work_item_update'],
] as const;

describe('github() connector definition', () => {
  const connector = github();

  it('publishes eight direct operations with common surfaces and one trigger', () => {
    expect(connector.id).toBe('github');
    expect(connector.operations.map((o) => o.id)).toEqual(operations.map(([id]) => id));
    for (const [id, normalizedId, actionName] of operations) {
      const capability = connector.capabilities.find((c) => c.id === id)!;
      expect(capability).toMatchObject({ kind: 'operation', runtimeClass: 'direct', requiredScopes: ['repo'], transportProfile: 'sdk' });
      expect(capability.consumerSurface).toEqual({ mode: 'common', normalizedId, actionName });
      expect(capability.policy.sandbox).toMatchObject({ level: 'standard', egress: 'restricted', approvals: 'auto' });
      // Input and output schemas project to JSON Schema for consumers (LLM tools, MCP).
      expect(jsonSchemaOf(capability.inputSchema)).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['repo']) });
      expect(jsonSchemaOf(capability.outputSchema!, 'output')).toMatchObject({ type: 'object', required: expect.arrayContaining(['repo', 'authBinding']) });
    }
    expect(connector.triggers.map((t) => t.id)).toEqual(['github.issue.opened']);
    expect(connector.runtimeFamilies).toEqual(['direct']);
  });

  it('projects a catalog entry: eight actions and one sensor with JSON Schemas', () => {
    const [entry] = projectCatalogEntries([connector]);
    expect(entry!.operations.map((o) => o.actionName).sort()).toEqual(operations.map(([, , action]) => action).sort());
    const list = entry!.operations.find((o) => o.operationId === 'github.issue.list')!;
    expect(list.inputJsonSchema).toMatchObject({ properties: { perPage: { type: 'integer', minimum: 1, maximum: 100 }, state: { enum: ['open', 'closed', 'all'] } } });
    expect(entry!.triggers).toEqual([
      expect.objectContaining({ triggerId: 'github.issue.opened', sensorName: 'work_item_opened', deliveryMode: 'webhook', signalType: 'github.issue.opened' }),
    ]);
  });

  it('declares OAuth2 with the repo scope, an access_token lease and the webhook secret', () => {
    expect(connector.auth).toMatchObject({
      type: 'oauth2',
      bindingKind: 'connection_id',
      requestedScopes: ['repo'],
      leaseFields: ['access_token'],
      secretNames: ['webhook_secret'],
      oauth: { authorizationUrl: 'https://github.com/login/oauth/authorize', tokenUrl: 'https://github.com/login/oauth/access_token' },
    });
    expect(connector.catalog).toMatchObject({ displayName: 'GitHub', category: 'developer_tools', maturity: 'beta', publication: 'public' });
  });

  it('derives OAuth endpoints for GitHub Enterprise Server and ghe.com', () => {
    expect(github({ baseUrl: 'https://ghe.example.com/api/v3' }).auth.oauth?.tokenUrl).toBe('https://ghe.example.com/login/oauth/access_token');
    expect(github({ baseUrl: 'https://api.acme.ghe.com' }).auth.oauth?.authorizationUrl).toBe('https://acme.ghe.com/login/oauth/authorize');
    expect(github({ webUrl: 'https://sso.example.com/' }).auth.oauth?.authorizationUrl).toBe('https://sso.example.com/login/oauth/authorize');
  });

  it('rejects bad options with a typed error', () => {
    for (const bad of [{ baseUrl: 'not a url' }, { baseUrl: 'ftp://x' }, { requestTimeoutMs: 0 }, { apiVersion: 'latest' }, { nope: 1 }]) {
      expect(() => github(bad as never)).toThrow(IntegrationError);
      try {
        github(bad as never);
      } catch (error) {
        expect((error as IntegrationError).code).toBe('invalid_argument');
      }
    }
  });

  it('install binding keeps only access_token leasable, splits GitHub\'s comma-separated scopes and dates expiring tokens', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(gitHubInstallBinding({ access_token: 'gho_x', token_type: 'bearer', scope: 'repo,read:org' }, { now })).toEqual({
      secret: { access_token: 'gho_x' },
      scopes: ['repo', 'read:org'],
      metadata: { tokenType: 'bearer' },
    });
    expect(gitHubInstallBinding({ access_token: 'ghu_x', refresh_token: 'ghr_y', expires_in: 28800, refresh_token_expires_in: 15_811_200, scope: '' }, { now })).toEqual({
      secret: { access_token: 'ghu_x', refresh_token: 'ghr_y' },
      expiresAt: '2026-01-10T20:00:00.000Z',
      scopes: [],
      metadata: { tokenType: 'bearer' },
    });
    expect(() => gitHubInstallBinding({ error: 'bad_verification_code' }, { now })).toThrow(/no access_token/);
  });

  it('works against a GitHub Enterprise Server style /api/v3 prefix', async () => {
    const fake = await startFakeGitHub({ pathPrefix: '/api/v3' });
    try {
      const run = await runCapability(github({ baseUrl: fake.baseUrl }), 'github.issue.list', { repo: 'octo-org/widgets', perPage: 1 }, { token: TOKEN });
      expect(run.error).toBeNull();
      expect(run.output).toMatchObject({ count: 1, nextPage: 2, lastPage: 3 });
      expect(fake.requests[0]!.path).toBe('/repos/octo-org/widgets/issues');
      expect((run.output as { issues: Array<{ htmlUrl: string }> }).issues[0]!.htmlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/octo-org\/widgets\/pull\/4$/);
    } finally {
      await fake.close();
    }
  });
});
