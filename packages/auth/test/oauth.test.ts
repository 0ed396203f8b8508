import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, harness, testConnector } from './support/fixtures';
import { startOAuthServer, type OAuthTestServer } from './support/oauth-server';

let server: OAuthTestServer;
beforeAll(async () => {
  server = await startOAuthServer();
});
afterAll(async () => {
  await server.close();
});

const REDIRECT = 'https://app.example.test/oauth/callback';

function oauthConnector(overrides: { pkce?: boolean; tokenAuthMethod?: 'client_secret_post' | 'client_secret_basic' } = {}) {
  return testConnector('oauthco', {
    type: 'oauth2',
    requestedScopes: ['issues:read', 'issues:write'],
    secretNames: ['webhook_secret'],
    oauth: {
      authorizationUrl: server.authorizationUrl,
      tokenUrl: server.tokenUrl,
      pkce: overrides.pkce ?? true,
      tokenAuthMethod: overrides.tokenAuthMethod ?? 'client_secret_post',
      extraAuthorizeParams: { access_type: 'offline' },
    },
  });
}

function oauthHarness(connector = oauthConnector()) {
  return harness({
    connectors: [connector, testConnector('anonco', { type: 'none' })],
    oauthClients: { oauthco: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: REDIRECT } },
  });
}

describe('OAuth2 authorization code + PKCE', () => {
  it('builds the authorization URL with S256 PKCE and state, and keeps both sealed', async () => {
    const { auth, stores } = oauthHarness();
    const started = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    const url = new URL(started.authorizationUrl!);
    expect(url.origin + url.pathname).toBe(server.authorizationUrl);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(server.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(url.searchParams.get('scope')).toBe('issues:read issues:write');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('access_type')).toBe('offline');
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    const stored = await stores.auth.fetchInstall(started.install.installId);
    expect(stored?.sealedState).not.toBeNull();
    expect(JSON.stringify(stored)).not.toContain(state);
    expect(stored?.metadata.method).toBe('oauth');
  });

  it('completes against the local token endpoint; the verifier matches the challenge', async () => {
    const { auth, stores, clock } = oauthHarness();
    const started = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test', actorId: 'u1' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const before = server.grants.authorization_code ?? 0;
    const done = await auth.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'user@example.test',
      code,
      state,
      secret: { webhook_secret: 'whsec-oauth-1' },
    });
    expect(server.grants.authorization_code).toBe(before + 1);
    const request = server.tokenRequests.at(-1)!;
    expect(request.get('grant_type')).toBe('authorization_code');
    expect(request.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(request.get('redirect_uri')).toBe(REDIRECT);
    expect(done.connection.state).toBe('connected');
    expect(done.connection.grantedScopes).toEqual(['issues:read', 'issues:write']);
    expect(done.connection.tokenExpiresAt).toBe(new Date(clock.now() + 3_600_000).toISOString());
    expect(done.connection.leaseFields).toEqual(['access_token']);
    expect((await stores.auth.fetchInstall(started.install.installId))?.sealedState).toBeNull();
    const lease = await auth.requestLease(done.connection.connectionId, { requiredScopes: ['issues:read'] });
    expect(Object.keys(lease.payload)).toEqual(['access_token']);
    expect(lease.payload.access_token).toMatch(/^tok-access-/);
    expect(await auth.resolveSecret(done.connection.connectionId, 'webhook_secret')).toBe('whsec-oauth-1');
  });

  it('refuses a tampered state without calling the token endpoint', async () => {
    const { auth } = oauthHarness();
    const started = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const before = server.grants.authorization_code ?? 0;
    const tampered = state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A');
    const error = await failure(() =>
      auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'user@example.test', code, state: tampered }),
    );
    expect(error.code).toBe('invalid_oauth_state');
    expect(error.message).not.toContain(state);
    expect(JSON.stringify(error)).not.toContain(state);
    expect(server.grants.authorization_code ?? 0).toBe(before);
    expect((await failure(() => auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'user@example.test', code }))).code).toBe(
      'invalid_argument',
    );
    // The install is still usable with the genuine state.
    const done = await auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'user@example.test', code, state });
    expect(done.install.state).toBe('completed');
  });

  it('maps a rejected code (wrong verifier / reused code) to oauth_exchange_failed', async () => {
    const { auth } = oauthHarness();
    const a = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    const b = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    const codeA = await server.approve(a.authorizationUrl!);
    const codeB = await server.approve(b.authorizationUrl!);
    // b's code with a's verifier: the server's S256 check fails.
    const error = await failure(() =>
      auth.completeInstall(a.install.installId, { callbackToken: a.callbackToken, subject: 'user@example.test', code: codeB.code, state: codeA.state }),
    );
    expect(error.code).toBe('oauth_exchange_failed');
    expect(error.details).toMatchObject({ oauthError: 'invalid_grant', httpStatus: 400 });
    expect(error.retryable).toBe(false);
    expect((await auth.fetchInstall(a.install.installId)).state).toBe('installing');
  });

  it('supports client_secret_basic and connectors without PKCE', async () => {
    const { auth } = oauthHarness(oauthConnector({ pkce: false, tokenAuthMethod: 'client_secret_basic' }));
    const started = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    expect(new URL(started.authorizationUrl!).searchParams.has('code_challenge')).toBe(false);
    const { code, state } = await server.approve(started.authorizationUrl!);
    await auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'user@example.test', code, state });
    const request = server.tokenRequests.at(-1)!;
    expect(request.has('client_secret')).toBe(false);
    expect(request.has('code_verifier')).toBe(false);
  });

  it('network failures at the token endpoint are retryable oauth_exchange_failed', async () => {
    const { auth } = oauthHarness();
    const started = await auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const offline = oauthHarnessWithFetch(async () => {
      throw new TypeError('fetch failed');
    });
    const s2 = await offline.auth.startInstall('oauthco', 'tenant-1', { subject: 'user@example.test' });
    const c2 = await server.approve(s2.authorizationUrl!);
    const error = await failure(() => offline.auth.completeInstall(s2.install.installId, { callbackToken: s2.callbackToken, subject: 'user@example.test', code: c2.code, state: c2.state }));
    expect(error.code).toBe('oauth_exchange_failed');
    expect(error.retryable).toBe(true);
    expect(error.details.kind).toBe('network');
    await auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'user@example.test', code, state });
  });

  it('secret installs remain possible for OAuth connectors, and auth type none cannot install', async () => {
    const { auth } = oauthHarness();
    const started = await auth.startInstall('oauthco', 'tenant-1', { subject: 'bot', method: 'secret' });
    expect(started.authorizationUrl).toBeNull();
    const done = await auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'bot', secret: { access_token: 'pat-123456' } });
    expect(done.connection.authType).toBe('oauth2');
    expect((await failure(() => auth.startInstall('anonco', 'tenant-1', { subject: 'x' }))).code).toBe('auth_not_supported');
    const noClient = harness({ connectors: [oauthConnector()] });
    expect((await noClient.auth.startInstall('oauthco', 'tenant-1', { subject: 'x' })).authorizationUrl).toBeNull();
    expect((await failure(() => noClient.auth.startInstall('oauthco', 'tenant-1', { subject: 'x', method: 'oauth' }))).code).toBe('auth_not_supported');
  });
});

describe('revocation at the provider (RFC 7009)', () => {
  function revocable() {
    return testConnector('oauthco', {
      type: 'oauth2',
      requestedScopes: ['read'],
      oauth: { authorizationUrl: server.authorizationUrl, tokenUrl: server.tokenUrl, revocationUrl: server.revocationUrl },
    });
  }

  it('revoking a connection revokes its refresh token upstream after the local wipe', async () => {
    const h = oauthHarness(revocable());
    const started = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'u' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const done = await h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'u', code, state });
    const before = server.revocations.length;
    await h.auth.revokeConnection(done.connection.connectionId, { reason: 'offboarding' });
    expect(server.revocations.slice(before)).toEqual([{ hint: 'refresh_token', known: true }]);
    expect(h.logger.lines.some((l) => l.includes('provider_revocation') && l.includes('"outcome":"revoked"'))).toBe(true);
  });

  it('a failing revocation endpoint does not undo the local revocation', async () => {
    const h = oauthHarness(revocable());
    const started = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'u' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const done = await h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'u', code, state });
    server.revocationDown = true;
    try {
      const revoked = await h.auth.revokeConnection(done.connection.connectionId, { reason: 'offboarding' });
      expect(revoked.state).toBe('revoked');
      expect((await failure(() => h.auth.requestLease(done.connection.connectionId))).code).toBe('connection_revoked');
      expect(h.logger.lines.some((l) => l.includes('provider_revocation') && l.includes('"outcome":"failed"'))).toBe(true);
    } finally {
      server.revocationDown = false;
    }
  });
});

function oauthHarnessWithFetch(fetchImpl: typeof fetch) {
  return harness({
    connectors: [oauthConnector()],
    oauthClients: { oauthco: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: REDIRECT } },
    fetch: fetchImpl,
  });
}
