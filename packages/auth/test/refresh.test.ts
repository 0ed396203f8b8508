import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type RefreshHandler } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createAuthService } from '../src/index';
import { captureLogger, failure, harness, installToken, testConnector } from './support/fixtures';
import { startOAuthServer, type OAuthTestServer } from './support/oauth-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function refreshingConnector(handler: RefreshHandler) {
  return testConnector('tokenco', { type: 'api_token', requestedScopes: ['repo:read'], secretNames: ['webhook_secret'], refresh: handler });
}

function countingHandler(behaviour: (call: number) => Promise<Awaited<ReturnType<RefreshHandler>>>) {
  const calls: Array<{ secret: Record<string, string> }> = [];
  const handler: RefreshHandler = async (input) => {
    calls.push({ secret: input.secret });
    return behaviour(calls.length);
  };
  return { handler, calls };
}

describe('refresh', () => {
  it('20 concurrent lease requests on an expired credential cause exactly one refresh', async () => {
    let clockNow = 0;
    const { handler, calls } = countingHandler(async (n) => {
      await sleep(20);
      return { secret: { access_token: `refreshed-token-${n}` }, expiresAt: new Date(clockNow + 3_600_000).toISOString() };
    });
    const h = harness({ connectors: [refreshingConnector(handler)] });
    clockNow = h.clock.now();
    const { connectionId, completed } = await installToken(h.auth, { access_token: 'stale-token-1', refresh_token: 'rt-1' }, {
      expiresAt: new Date(h.clock.now() + 1_000).toISOString(),
    });
    h.clock.advance(2_000);
    clockNow = h.clock.now();
    const leases = await Promise.all(Array.from({ length: 20 }, () => h.auth.requestLease(connectionId)));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.secret).toEqual({ access_token: 'stale-token-1', refresh_token: 'rt-1' });
    expect(new Set(leases.map((l) => l.payload.access_token))).toEqual(new Set(['refreshed-token-1']));
    const credential = await h.stores.auth.fetchCredential(completed.credentialRef.id);
    expect(credential?.version).toBe(2);
    const status = await h.auth.connectionStatus(connectionId);
    expect(status.state).toBe('connected');
    expect(status.lastRefreshedAt).toBe(new Date(clockNow).toISOString());
    expect(status.stateReason).toBe('credential refreshed');
    // The refresh token was kept (merged), never leased.
    expect(leases[0]!.payload).toEqual({ access_token: 'refreshed-token-1' });
    expect(h.logger.lines.some((l) => l.includes('auth.credential.refreshed'))).toBe(true);
  });

  it('single-flight holds across two services sharing one store (the store lock)', async () => {
    const stores = memoryStores();
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const clock = { now: () => now };
    const { handler, calls } = countingHandler(async (n) => {
      await sleep(15);
      return { secret: { access_token: `cross-${n}` }, expiresAt: new Date(now + 3_600_000).toISOString() };
    });
    const connectors = [refreshingConnector(handler)];
    const keys = { k1: Buffer.alloc(32, 7).toString('base64') };
    const a = createAuthService({ stores, connectors, secrets: { keys, activeKeyId: 'k1' }, environment: 'test', clock });
    const b = createAuthService({ stores, connectors, secrets: { keys, activeKeyId: 'k1' }, environment: 'test', clock });
    const { connectionId } = await installToken(a, { access_token: 'cross-stale' }, { expiresAt: new Date(now + 1_000).toISOString() });
    now += 5_000;
    const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).requestLease(connectionId)));
    expect(calls).toHaveLength(1);
    expect(new Set(leases.map((l) => l.payload.access_token))).toEqual(new Set(['cross-1']));
  });

  it('refreshes ahead of expiry within the configured skew', async () => {
    const { handler, calls } = countingHandler(async () => ({ secret: { access_token: 'early-refresh' }, expiresAt: null }));
    const h = harness({ connectors: [refreshingConnector(handler)], refreshSkewMs: 30_000 });
    const { connectionId } = await installToken(h.auth, { access_token: 'almost-stale' }, { expiresAt: new Date(h.clock.now() + 40_000).toISOString() });
    expect((await h.auth.requestLease(connectionId)).payload.access_token).toBe('almost-stale');
    h.clock.advance(10_000);
    expect((await h.auth.requestLease(connectionId)).payload.access_token).toBe('early-refresh');
    expect(calls).toHaveLength(1);
  });

  it('auth_failed from the handler → reauth_required (no further refresh attempts)', async () => {
    const { handler, calls } = countingHandler(async () => {
      throw new ConnectorError({ class: 'auth_failed', message: 'invalid_grant: token revoked upstream' });
    });
    const h = harness({ connectors: [refreshingConnector(handler)] });
    const { connectionId } = await installToken(h.auth, { access_token: 'dead-grant' }, { expiresAt: new Date(h.clock.now() - 1).toISOString() });
    const error = await failure(() => h.auth.requestLease(connectionId));
    expect(error.code).toBe('reauth_required');
    expect(error.retryable).toBe(false);
    const status = await h.auth.connectionStatus(connectionId);
    expect(status.state).toBe('reauth_required');
    expect(status.stateReason).toBe('refresh rejected (auth_failed)');
    expect((await failure(() => h.auth.requestLease(connectionId))).code).toBe('reauth_required');
    expect((await failure(() => h.auth.bind(connectionId))).code).toBe('reauth_required');
    expect(calls).toHaveLength(1);
    expect(h.logger.lines.some((l) => l.includes('"to":"reauth_required"'))).toBe(true);
    // Recovery is a re-install.
    const again = await h.auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId });
    await h.auth.completeInstall(again.install.installId, { callbackToken: again.callbackToken, subject: 'octocat', secret: { access_token: 'fresh-grant' } });
    expect((await h.auth.requestLease(connectionId)).payload.access_token).toBe('fresh-grant');
  });

  it('a transient failure → degraded and a retryable refresh_failed; the next success reconnects', async () => {
    let fail = true;
    const { handler, calls } = countingHandler(async () => {
      if (fail) throw new Error('socket hang up');
      return { secret: { access_token: 'recovered-token' }, expiresAt: null };
    });
    const h = harness({ connectors: [refreshingConnector(handler)] });
    const { connectionId } = await installToken(h.auth, { access_token: 'expired-token' }, { expiresAt: new Date(h.clock.now() - 1).toISOString() });
    const errors = await Promise.all(Array.from({ length: 5 }, () => failure(() => h.auth.requestLease(connectionId))));
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill('refresh_failed'));
    expect(errors[0]!.retryable).toBe(true);
    expect(calls).toHaveLength(1);
    const status = await h.auth.connectionStatus(connectionId);
    expect(status.state).toBe('degraded');
    expect(status.stateReason).toBe('refresh failed (Error)');
    fail = false;
    expect((await h.auth.requestLease(connectionId)).payload.access_token).toBe('recovered-token');
    expect((await h.auth.connectionStatus(connectionId)).state).toBe('connected');
  });

  it('a transient failure before expiry degrades but still leases the current token', async () => {
    const { handler } = countingHandler(async () => {
      throw new ConnectorError({ class: 'rate_limited', message: 'slow down', retryAfterMs: 1000 });
    });
    const h = harness({ connectors: [refreshingConnector(handler)] });
    const expiresAt = new Date(h.clock.now() + 30_000).toISOString();
    const { connectionId } = await installToken(h.auth, { access_token: 'still-valid' }, { expiresAt });
    const lease = await h.auth.requestLease(connectionId);
    expect(lease.payload.access_token).toBe('still-valid');
    expect(lease.expiresAt).toBe(expiresAt);
    expect((await h.auth.connectionStatus(connectionId)).state).toBe('degraded');
    // degraded → installing is allowed on purpose: re-authorise without revoking first.
    const again = await h.auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId });
    expect(again.connection.state).toBe('installing');
    await h.auth.cancelInstall(again.install.installId);
    expect((await h.auth.connectionStatus(connectionId)).state).toBe('connected');
  });

  it('a handler that hangs is cut off by the refresh timeout', async () => {
    const handler: RefreshHandler = (input) =>
      new Promise((_, reject) => input.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const h = harness({ connectors: [refreshingConnector(handler)], refreshTimeoutMs: 30 });
    const { connectionId } = await installToken(h.auth, { access_token: 'hang-token' }, { expiresAt: new Date(h.clock.now() - 1).toISOString() });
    const error = await failure(() => h.auth.requestLease(connectionId));
    expect(error.code).toBe('refresh_failed');
    expect(error.details.failure).toBe('timeout');
  });

  it('an expired credential with no way to refresh → reauth_required; before expiry it still leases', async () => {
    const h = harness();
    const soon = await installToken(h.auth, { access_token: 'no-refresh-1' }, { expiresAt: new Date(h.clock.now() + 10_000).toISOString() });
    expect((await h.auth.requestLease(soon.connectionId)).payload.access_token).toBe('no-refresh-1');
    h.clock.advance(10_000);
    expect((await failure(() => h.auth.requestLease(soon.connectionId))).code).toBe('reauth_required');
    expect((await h.auth.connectionStatus(soon.connectionId)).state).toBe('reauth_required');
  });

  it('rejects a handler that returns a malformed secret (degraded, never stored)', async () => {
    const handler: RefreshHandler = async () => ({ secret: { access_token: 42 as unknown as string } });
    const h = harness({ connectors: [refreshingConnector(handler)] });
    const { connectionId, completed } = await installToken(h.auth, { access_token: 'bad-refresh' }, { expiresAt: new Date(h.clock.now() - 1).toISOString() });
    expect((await failure(() => h.auth.requestLease(connectionId))).code).toBe('refresh_failed');
    expect((await h.stores.auth.fetchCredential(completed.credentialRef.id))?.version).toBe(1);
  });
});

describe('standard refresh_token grant (no handler, OAuth endpoints)', () => {
  let server: OAuthTestServer;
  beforeAll(async () => {
    server = await startOAuthServer({ tokenPrefix: 'std' });
  });
  afterAll(async () => server.close());

  async function connect() {
    const connector = testConnector('oauthco', {
      type: 'oauth2',
      requestedScopes: ['read'],
      oauth: { authorizationUrl: server.authorizationUrl, tokenUrl: server.tokenUrl },
    });
    const logger = captureLogger();
    const h = harness({
      connectors: [connector],
      logger,
      oauthClients: { oauthco: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: 'https://app.example.test/cb' } },
    });
    server.refreshMode = 'ok';
    const started = await h.auth.startInstall('oauthco', 'tenant-1', { subject: 'sam' });
    const { code, state } = await server.approve(started.authorizationUrl!);
    const done = await h.auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'sam', code, state });
    return { ...h, connectionId: done.connection.connectionId, logger };
  }

  it('refreshes at the token endpoint once under 20 concurrent requests', async () => {
    const h = await connect();
    h.clock.advance(3_530_000);
    const first = await h.auth.requestLease(h.connectionId);
    h.clock.advance(20_000); // inside the 60 s refresh skew, the first lease still unexpired
    const before = server.grants.refresh_token ?? 0;
    const leases = await Promise.all(Array.from({ length: 20 }, () => h.auth.requestLease(h.connectionId)));
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
    const tokens = new Set(leases.map((l) => l.payload.access_token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(first.payload.access_token!)).toBe(false);
    expect(server.tokenRequests.at(-1)!.get('refresh_token')).toMatch(/^std-refresh-/);
    expect((await failure(() => h.auth.fetchLease(first.leaseId))).code).toBe('lease_superseded');
  });

  it('invalid_grant → reauth_required; 503 → degraded + retryable refresh_failed', async () => {
    const h = await connect();
    h.clock.advance(3_600_000);
    server.refreshMode = 'unavailable';
    const transient = await failure(() => h.auth.requestLease(h.connectionId));
    expect(transient.code).toBe('refresh_failed');
    expect(transient.retryable).toBe(true);
    expect((await h.auth.connectionStatus(h.connectionId)).state).toBe('degraded');
    server.refreshMode = 'invalid_grant';
    const dead = await failure(() => h.auth.requestLease(h.connectionId));
    expect(dead.code).toBe('reauth_required');
    expect((await h.auth.connectionStatus(h.connectionId)).state).toBe('reauth_required');
    server.refreshMode = 'ok';
  });
});
