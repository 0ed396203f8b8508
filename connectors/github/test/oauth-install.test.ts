import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, type Platform } from '@integration/platform';
import { github } from '../src';
import { startFakeGitHub, type FakeGitHub } from '../src/testing';

const CLIENT = { clientId: 'Iv1.fakeclient0001', clientSecret: 'fake_client_secret_0123456789', redirectUri: 'https://ops.example.com/oauth/github/callback' };

/** The GitHub web OAuth flow end to end: authorize redirect, code exchange, lease, invoke. */
describe('OAuth install against the fake GitHub', () => {
  let fake: FakeGitHub;
  let platform: Platform;

  beforeAll(async () => {
    fake = await startFakeGitHub({ tokens: {}, oauthApps: [{ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, login: 'monalisa' }] });
    platform = await createPlatform({
      connectors: [github({ baseUrl: fake.baseUrl })],
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
      oauthClients: { github: CLIENT },
    });
  });
  afterAll(async () => {
    await platform?.close();
    await fake?.close();
  });

  async function authorize() {
    const started = await platform.startInstall('github', 'tenant-a', { subject: 'monalisa', actorId: 'ops' });
    expect(started.authorizationUrl).not.toBeNull();
    const url = new URL(started.authorizationUrl!);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.baseUrl}/login/oauth/authorize`);
    expect(url.searchParams.get('scope')).toBe('repo');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const callback = new URL(response.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(CLIENT.redirectUri);
    return { started, code: callback.searchParams.get('code')!, state: callback.searchParams.get('state')! };
  }

  it('exchanges the code with PKCE, leases only access_token and invokes as the authorizing user', async () => {
    const { started, code, state } = await authorize();
    const completed = await platform.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'monalisa', code, state });
    expect(completed.connection.state).toBe('connected');
    const exchange = fake.requests.find((r) => r.path === '/login/oauth/access_token')!;
    const form = new URLSearchParams(exchange.body as string);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('client_id')).toBe(CLIENT.clientId);
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    const lease = await platform.requestLease(completed.connection.connectionId, { requiredScopes: ['repo'] });
    expect(Object.keys(lease.payload)).toEqual(['access_token']);
    const result = await platform.invoke('github.issue.create', { repo: 'octo-org/widgets', title: 'Opened through OAuth' }, { connectionId: completed.connection.connectionId });
    expect(result.output).toMatchObject({ author: 'monalisa', openedBy: 'monalisa', title: 'Opened through OAuth' });
  });

  it('a replayed code is refused by the token endpoint (oauth_exchange_failed)', async () => {
    const { started, code, state } = await authorize();
    await platform.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'monalisa', code, state });
    const again = await platform.startInstall('github', 'tenant-a', { subject: 'monalisa' });
    const error = await platform
      .completeInstall(again.install.installId, { callbackToken: again.callbackToken, subject: 'monalisa', code, state: new URL(again.authorizationUrl!).searchParams.get('state')! })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'oauth_exchange_failed' });
  });
});
