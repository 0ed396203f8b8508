import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, ManualClock, type Platform } from '@integration/platform';
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

  it('expiring GitHub App user tokens: expiry from expires_in, refreshed through the refresh_token grant', async () => {
    const appFake = await startFakeGitHub({ tokens: {}, oauthApps: [{ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, login: 'hubot', expiringTokens: true }] });
    const clock = new ManualClock(Date.parse('2026-01-10T12:00:00Z'));
    const appPlatform = await createPlatform({
      connectors: [github({ baseUrl: appFake.baseUrl })],
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
      oauthClients: { github: CLIENT },
      clock,
    });
    try {
      const started = await appPlatform.startInstall('github', 'tenant-a', { subject: 'hubot' });
      const redirect = await fetch(started.authorizationUrl!, { redirect: 'manual' });
      const callback = new URL(redirect.headers.get('location')!);
      const { connection } = await appPlatform.completeInstall(started.install.installId, {
        callbackToken: started.callbackToken,
        subject: 'hubot',
        code: callback.searchParams.get('code')!,
        state: callback.searchParams.get('state')!,
      });
      const input = { repo: 'octo-org/widgets', issueNumber: 1 };
      await appPlatform.invoke('github.issue.fetch', input, { connectionId: connection.connectionId });
      const firstToken = appFake.requests.at(-1)!.headers.authorization;
      expect(firstToken).toMatch(/^token ghu_/);

      clock.advance(9 * 3_600_000); // past the 8 h expiry
      const after = await appPlatform.invoke('github.issue.fetch', input, { connectionId: connection.connectionId });
      expect(after.output).toMatchObject({ issueNumber: 1, fetchedBy: 'hubot' });
      const refresh = appFake.requests.filter((r) => r.path === '/login/oauth/access_token').map((r) => new URLSearchParams(r.body as string).get('grant_type'));
      expect(refresh).toEqual(['authorization_code', 'refresh_token']);
      const secondToken = appFake.requests.at(-1)!.headers.authorization;
      expect(secondToken).toMatch(/^token ghu_/);
      expect(secondToken).not.toBe(firstToken);
      const lease = await appPlatform.requestLease(connection.connectionId, { requiredScopes: ['repo'] });
      expect(Object.keys(lease.payload)).toEqual(['access_token']);
      expect(Date.parse(lease.expiresAt)).toBeGreaterThan(clock.now());

      // A refresh token GitHub no longer accepts: the next refresh fails with a typed error and no API call.
      appFake.revokeRefreshTokens();
      clock.advance(9 * 3_600_000);
      const apiCalls = appFake.requests.filter((r) => r.path.startsWith('/repos/')).length;
      const refused = await appPlatform.invoke('github.issue.fetch', input, { connectionId: connection.connectionId }).catch((e: unknown) => e);
      // GitHub reports a dead refresh token as HTTP 200 `{"error":"bad_refresh_token"}`, not RFC 6749's
      // `invalid_grant`; the connector lists it in deadGrantErrors, so the connection needs re-auth.
      expect((refused as { code?: string }).code).toBe('reauth_required');
      expect((await appPlatform.connectionStatus(connection.connectionId)).state).toBe('reauth_required');
      expect(appFake.requests.filter((r) => r.path.startsWith('/repos/')).length).toBe(apiCalls);
    } finally {
      await appPlatform.close();
      await appFake.close();
    }
  });
});
