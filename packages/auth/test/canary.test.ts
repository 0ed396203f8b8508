import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type RefreshHandler } from '@integration/contracts';
import { dumpAuthStore, harness, testConnector } from './support/fixtures';
import { startOAuthServer, type OAuthTestServer } from './support/oauth-server';

const CANARY = 'CANARY7f3a9';
const canaries = {
  apiToken: `${CANARY}-api-token`,
  rotated: `${CANARY}-rotated-token`,
  webhook: `${CANARY}-webhook-secret`,
  refresh: `${CANARY}-refresh-token`,
  clientSecret: `${CANARY}-client-secret`,
  handlerLeak: `${CANARY}-handler-error`,
};

let server: OAuthTestServer;
beforeAll(async () => {
  server = await startOAuthServer({ clientSecret: canaries.clientSecret, tokenPrefix: `${CANARY}-oauth` });
});
afterAll(async () => server.close());

describe('canary secrets', () => {
  it('never reach a store record, a log line or an error', async () => {
    let refreshMode: 'leak_transient' | 'leak_auth' | 'ok' = 'leak_transient';
    const refresh: RefreshHandler = async ({ secret }) => {
      // A careless handler that puts secrets into its error messages.
      if (refreshMode === 'leak_transient') throw new Error(`upstream said no to ${secret.access_token} ${canaries.handlerLeak}`);
      if (refreshMode === 'leak_auth') throw new ConnectorError({ class: 'auth_failed', message: `revoked ${secret.refresh_token}` });
      return { secret: { access_token: `${CANARY}-refreshed` }, expiresAt: null };
    };
    const tokenco = testConnector('tokenco', { type: 'api_token', requestedScopes: ['read'], secretNames: ['webhook_secret'], refresh });
    const oauthco = testConnector('oauthco', {
      type: 'oauth2',
      requestedScopes: ['read'],
      oauth: { authorizationUrl: server.authorizationUrl, tokenUrl: server.tokenUrl, revocationUrl: server.revocationUrl },
    });
    const h = harness({
      connectors: [tokenco, oauthco],
      oauthClients: { oauthco: { clientId: server.clientId, clientSecret: canaries.clientSecret, redirectUri: 'https://app.example.test/cb' } },
    });
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        return await fn();
      } catch (error) {
        errors.push(error);
        return null;
      }
    };
    const leaseIds: string[] = [];
    const leaseSecrets: string[] = [];

    // API-token install with every kind of secret.
    const started = await h.auth.startInstall('tokenco', 'tenant-1', { subject: 'canary-user', metadata: { note: 'canary run' } });
    await attempt(() => h.auth.completeInstall(started.install.installId, { callbackToken: 'wrong', subject: 'canary-user', secret: { access_token: canaries.apiToken } }));
    await attempt(() => h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'other', secret: { access_token: canaries.apiToken } }));
    await attempt(() => h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'canary-user', secret: { access_token: '' } }));
    const done = await h.auth.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'canary-user',
      secret: { access_token: canaries.apiToken, webhook_secret: canaries.webhook, refresh_token: canaries.refresh },
      expiresAt: new Date(h.clock.now() + 3_600_000).toISOString(),
    });
    const connectionId = done.connection.connectionId;
    const lease1 = await h.auth.requestLease(connectionId);
    leaseIds.push(lease1.leaseId);
    expect(lease1.payload).toEqual({ access_token: canaries.apiToken });
    expect(await h.auth.resolveSecret(connectionId, 'webhook_secret')).toBe(canaries.webhook);
    await attempt(() => h.auth.requestLease(connectionId, { requiredScopes: ['admin'] }));
    await attempt(() => h.auth.resolveSecret(connectionId, 'refresh_token'));

    // Rotation, superseded lease, refresh failures with leaky handler messages.
    await h.auth.rotateConnection(connectionId, {
      secret: { access_token: canaries.rotated, webhook_secret: canaries.webhook, refresh_token: canaries.refresh },
      expiresAt: new Date(h.clock.now() - 1).toISOString(),
    });
    await attempt(() => h.auth.fetchLease(lease1.leaseId));
    await attempt(() => h.auth.requestLease(connectionId));
    refreshMode = 'leak_auth';
    await attempt(() => h.auth.requestLease(connectionId));
    expect((await h.auth.connectionStatus(connectionId)).state).toBe('reauth_required');
    await attempt(() => h.auth.rotateConnection(connectionId, { secret: { access_token: canaries.rotated } }));
    await h.auth.revokeConnection(connectionId, { reason: 'canary done' });
    await attempt(() => h.auth.requestLease(connectionId));

    // OAuth install: tampered state, a bad code, then success and a refresh.
    const o = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'oauth-user' });
    const { code, state } = await server.approve(o.authorizationUrl!);
    await attempt(() => h.auth.completeInstall(o.install.installId, { callbackToken: o.callbackToken, subject: 'oauth-user', code, state: `${state}x` }));
    await attempt(() => h.auth.completeInstall(o.install.installId, { callbackToken: o.callbackToken, subject: 'oauth-user', code: `${code}x`, state }));
    const o2 = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'oauth-user' });
    const c2 = await server.approve(o2.authorizationUrl!);
    const od = await h.auth.completeInstall(o2.install.installId, { callbackToken: o2.callbackToken, subject: 'oauth-user', code: c2.code, state: c2.state });
    const ol = await h.auth.requestLease(od.connection.connectionId);
    leaseIds.push(ol.leaseId);
    leaseSecrets.push(ol.payload.access_token!);
    h.clock.advance(3_600_000);
    server.refreshMode = 'unavailable';
    await attempt(() => h.auth.requestLease(od.connection.connectionId));
    server.refreshMode = 'ok';
    const ol2 = await h.auth.requestLease(od.connection.connectionId);
    leaseIds.push(ol2.leaseId);
    leaseSecrets.push(ol2.payload.access_token!);
    await h.auth.rewrapCredentials();
    const storeBeforeRevoke = await dumpAuthStore(h.stores, leaseIds);
    await h.auth.revokeConnection(od.connection.connectionId, { reason: 'canary done' });
    expect(server.revocations.at(-1)).toEqual({ hint: 'refresh_token', known: true });
    expect(errors.length).toBeGreaterThanOrEqual(12);

    const storeJson = storeBeforeRevoke + (await dumpAuthStore(h.stores, leaseIds));
    const logText = h.logger.lines.join('\n');
    const errorText = errors
      .map((e) => {
        const error = e as Error & { toJSON?: () => unknown; cause?: unknown };
        return [error.message, error.stack, JSON.stringify(error), JSON.stringify(error.toJSON?.()), String(error.cause ?? '')].join('\n');
      })
      .join('\n');
    // The checks below are not vacuous: the texts hold the records, the state changes and the errors.
    expect(storeJson).toContain('"envelope":{"alg":"A256GCM"');
    expect(storeJson).toContain('"payloadKeys":["access_token"]');
    expect(logText).toContain('auth.connection.reauth_required');
    for (const code of ['invalid_callback_token', 'lease_superseded', 'refresh_failed', 'reauth_required', 'invalid_oauth_state', 'oauth_exchange_failed', 'connection_revoked']) {
      expect(errorText).toContain(code);
    }
    for (const [where, text] of [
      ['store', storeJson],
      ['logs', logText],
      ['errors', errorText],
    ] as const) {
      expect(text, `${where} leaked a canary`).not.toContain(CANARY);
      for (const secret of leaseSecrets) expect(text, `${where} leaked an OAuth token`).not.toContain(secret);
      expect(text, `${where} leaked a callback token`).not.toContain(started.callbackToken);
      expect(text, `${where} leaked an OAuth state`).not.toContain(state);
    }
  });
});
