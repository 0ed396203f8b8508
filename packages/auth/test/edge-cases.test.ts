import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionSchema, InstallSchema, LeaseRecordSchema, SealedCredentialSchema } from '@integration/contracts';
import { leaseFieldsFor, leasePayload, neverLeasedFields } from '../src/index';
import { failure, harness, installToken, testConnector } from './support/fixtures';
import { startOAuthServer, type OAuthTestServer } from './support/oauth-server';

describe('lease fields', () => {
  it('never lease refresh tokens, client secrets, webhook secrets, private keys, passwords or trigger secrets', () => {
    const secretKey = fc.oneof(fc.constantFrom(...neverLeasedFields, 'refreshToken', 'Client-Secret', 'signing_secret'), fc.string({ minLength: 1, maxLength: 12 }));
    fc.assert(
      fc.property(fc.dictionary(secretKey, fc.string({ minLength: 1 })), fc.array(secretKey), (secret, declared) => {
        const fields = leaseFieldsFor(declared, secret, ['signing_secret']);
        const payload = leasePayload(secret, fields);
        for (const key of Object.keys(payload)) {
          expect(['refreshtoken', 'clientsecret', 'webhooksecret', 'privatekey', 'password', 'signingsecret']).not.toContain(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
          expect(payload[key]).toBe(secret[key]);
        }
      }),
    );
  });

  it("honours a connector's declared lease fields (minus the forbidden ones)", async () => {
    const connector = testConnector('tokenco', { type: 'api_token', leaseFields: ['access_token', 'refresh_token', 'account_id'] });
    const { auth } = harness({ connectors: [connector] });
    const { connectionId, completed } = await installToken(auth, { access_token: 'decl-token', refresh_token: 'decl-refresh', account_id: 'acct-9', extra: 'not-leased' });
    expect(completed.connection.leaseFields).toEqual(['access_token', 'account_id']);
    expect((await auth.requestLease(connectionId, { runId: 'run_1' })).payload).toEqual({ access_token: 'decl-token', account_id: 'acct-9' });
  });
});

describe('records and hygiene', () => {
  it('every stored record parses against the contract schemas; metadata is kept as given, never guessed at by key name', async () => {
    const { auth, stores } = harness();
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', metadata: { plan: 'pro', api_key_hint: 'ends-in-42', pin: { board: 3 } } });
    expect(started.install.metadata).toMatchObject({ plan: 'pro', api_key_hint: 'ends-in-42', pin: { board: 3 }, method: 'secret' });
    await auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'octocat', secret: { access_token: 'schema-token' } });
    const lease = await auth.requestLease(started.connection.connectionId, { runId: 'run_42' });
    await auth.rotateConnection(started.connection.connectionId, { secret: { access_token: 'schema-token-2' } });
    for (const record of await stores.auth.listInstalls()) InstallSchema.parse(record);
    for (const record of await stores.auth.listConnections()) ConnectionSchema.parse(record);
    for (const record of await stores.auth.listCredentials()) SealedCredentialSchema.parse(record);
    const leaseRecord = LeaseRecordSchema.parse(await stores.auth.fetchLease(lease.leaseId));
    expect(leaseRecord.metadata).toEqual({ runId: 'run_42' });
    expect(leaseRecord.credentialVersion).toBe(1);
    expect(JSON.stringify(await stores.auth.listConnections())).not.toContain('meta-secret-1');
  });

  it('concurrent completions of one install: exactly one wins', async () => {
    const { auth } = harness();
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat' });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'octocat', secret: { access_token: `race-${i}-token` } }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    expect(ok).toHaveLength(1);
    expect(codes).toEqual(Array(4).fill('install_already_consumed'));
  });

  it('concurrent rotations each bump the version once', async () => {
    const { auth, stores } = harness();
    const { connectionId, completed } = await installToken(auth, { access_token: 'rot-base' });
    await Promise.all(Array.from({ length: 6 }, (_, i) => auth.rotateConnection(connectionId, { secret: { access_token: `rot-${i}-x` } })));
    expect((await stores.auth.fetchCredential(completed.credentialRef.id))?.version).toBe(7);
  });

  it('a refresh handler returning an already expired credential is a failed refresh', async () => {
    let now = 0;
    const connector = testConnector('tokenco', {
      type: 'api_token',
      refresh: async () => ({ secret: { access_token: 'still-stale' }, expiresAt: new Date(now - 1000).toISOString() }),
    });
    const h = harness({ connectors: [connector] });
    now = h.clock.now();
    const { connectionId } = await installToken(h.auth, { access_token: 'stale' }, { expiresAt: new Date(now - 1).toISOString() });
    expect((await failure(() => h.auth.requestLease(connectionId))).code).toBe('refresh_failed');
    expect((await h.auth.connectionStatus(connectionId)).state).toBe('degraded');
  });
});

describe('installBinding', () => {
  let server: OAuthTestServer;
  beforeAll(async () => {
    server = await startOAuthServer();
  });
  afterAll(async () => server.close());

  it('lets a connector shape the stored secret from the token response', async () => {
    const connector = testConnector('oauthco', {
      type: 'oauth2',
      requestedScopes: ['read'],
      oauth: { authorizationUrl: server.authorizationUrl, tokenUrl: server.tokenUrl },
      installBinding: (response) => ({
        secret: { access_token: String(response.access_token), workspace_token: `ws-${String(response.access_token)}` },
        expiresAt: null,
        scopes: ['read', 'bound'],
        metadata: { workspace: 'acme', echoed: `token ${String(response.access_token)}`, token_type: String(response.token_type), pin: 'kept' },
      }),
    });
    const h = harness({
      connectors: [connector],
      oauthClients: { oauthco: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: 'https://app.example.test/cb' } },
    });
    const started = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'u' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const done = await h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'u', code, state });
    expect(done.connection.grantedScopes).toEqual(['read', 'bound']);
    expect(done.connection.tokenExpiresAt).toBeNull();
    const credential = await h.stores.auth.fetchCredential(done.credentialRef.id);
    // The token's value is known, so it is redacted; everything else the binding kept is data.
    expect(credential?.metadata).toEqual({ workspace: 'acme', echoed: 'token [REDACTED]', token_type: expect.not.stringContaining('REDACTED'), pin: 'kept' });
    const lease = await h.auth.requestLease(done.connection.connectionId);
    expect(Object.keys(lease.payload).sort()).toEqual(['access_token', 'workspace_token']);
  });

  it('a broken installBinding fails the exchange with a typed error', async () => {
    const connector = testConnector('oauthco', {
      type: 'oauth2',
      oauth: { authorizationUrl: server.authorizationUrl, tokenUrl: server.tokenUrl },
      installBinding: () => ({ secret: {} }),
    });
    const h = harness({
      connectors: [connector],
      oauthClients: { oauthco: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: 'https://app.example.test/cb' } },
    });
    const started = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'u' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const error = await failure(() => h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'u', code, state }));
    expect(error.code).toBe('oauth_exchange_failed');
    expect(error.details.reason).toBe('install_binding_invalid');
  });
});
