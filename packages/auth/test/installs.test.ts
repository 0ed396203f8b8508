import { describe, expect, it } from 'vitest';
import { failure, harness, installToken } from './support/fixtures';

describe('installs', () => {
  it('expires on the clock, is marked expired and cannot complete', async () => {
    const { auth, clock } = harness({ installTtlSeconds: 60 });
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat' });
    expect(Date.parse(started.install.expiresAt) - clock.now()).toBe(60_000);
    clock.advance(59_999);
    expect((await auth.fetchInstall(started.install.installId)).state).toBe('installing');
    clock.advance(1);
    const error = await failure(() =>
      auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'octocat', secret: { access_token: 'late-token' } }),
    );
    expect(error.code).toBe('install_expired');
    const stored = await auth.fetchInstall(started.install.installId);
    expect(stored.state).toBe('expired');
    expect((await auth.connectionStatus(started.connection.connectionId)).state).toBe('installing');
    // Expired stays expired.
    expect((await failure(() => auth.cancelInstall(started.install.installId))).code).toBe('install_expired');
  });

  it('marks overdue installs expired on fetch, list and sweep; honours a per-install ttl', async () => {
    const { auth, clock } = harness();
    const a = await auth.startInstall('tokenco', 'tenant-1', { subject: 's1', ttlSeconds: 10 });
    const b = await auth.startInstall('tokenco', 'tenant-1', { subject: 's2', ttlSeconds: 20 });
    const c = await auth.startInstall('tokenco', 'tenant-1', { subject: 's3', ttlSeconds: 30 });
    clock.advance(10_000);
    expect((await auth.fetchInstall(a.install.installId)).state).toBe('expired');
    clock.advance(10_000);
    expect((await auth.installs({ state: 'expired' })).map((i) => i.installId)).toEqual([a.install.installId, b.install.installId]);
    expect((await auth.installs({ state: 'installing' })).map((i) => i.installId)).toEqual([c.install.installId]);
    clock.advance(10_000);
    expect(await auth.expireInstalls()).toBe(1);
    expect(await auth.expireInstalls()).toBe(0);
  });

  it('checks the callback token before anything else', async () => {
    const { auth } = harness();
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat' });
    const attrs = { subject: 'octocat', secret: { access_token: 'tok-aaaaaa' } };
    const wrong = await failure(() => auth.completeInstall(started.install.installId, { ...attrs, callbackToken: `${started.callbackToken}x` }));
    expect(wrong.code).toBe('invalid_callback_token');
    expect(wrong.message).not.toContain(started.callbackToken);
    const other = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat' });
    expect((await failure(() => auth.completeInstall(started.install.installId, { ...attrs, callbackToken: other.callbackToken }))).code).toBe(
      'invalid_callback_token',
    );
    expect((await failure(() => auth.completeInstall(started.install.installId, { ...attrs, callbackToken: '' }))).code).toBe('invalid_argument');
    // Nothing was consumed by the failed attempts.
    await auth.completeInstall(started.install.installId, { ...attrs, callbackToken: started.callbackToken });
  });

  it('refuses a second completion, another subject, and malformed attributes', async () => {
    const { auth } = harness();
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat' });
    const base = { callbackToken: started.callbackToken, subject: 'octocat' };
    expect((await failure(() => auth.completeInstall(started.install.installId, { ...base, subject: 'mallory', secret: { access_token: 'x-token' } }))).code).toBe(
      'install_subject_mismatch',
    );
    expect((await failure(() => auth.completeInstall(started.install.installId, base))).code).toBe('invalid_argument');
    expect((await failure(() => auth.completeInstall(started.install.installId, { ...base, code: 'abc', state: 'def' }))).code).toBe('invalid_argument');
    expect((await failure(() => auth.completeInstall(started.install.installId, { ...base, secret: {} }))).code).toBe('invalid_argument');
    await auth.completeInstall(started.install.installId, { ...base, secret: { access_token: 'real-token' } });
    const again = await failure(() => auth.completeInstall(started.install.installId, { ...base, secret: { access_token: 'replay-token' } }));
    expect(again.code).toBe('install_already_consumed');
    expect((await failure(() => auth.completeInstall('ins_missing', { ...base, secret: { access_token: 'x-token' } }))).code).toBe('unknown_install');
  });

  it('cancels an install; a cancelled install cannot complete', async () => {
    const { auth } = harness();
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat' });
    const cancelled = await auth.cancelInstall(started.install.installId, { reason: 'user closed the tab', actorId: 'user-1' });
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.metadata.cancelReason).toBe('user closed the tab');
    expect((await auth.cancelInstall(started.install.installId)).state).toBe('cancelled');
    const error = await failure(() =>
      auth.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'octocat', secret: { access_token: 'tok-bbbbbb' } }),
    );
    expect(error.code).toBe('install_cancelled');
    const done = await installToken(auth, { access_token: 'tok-cccccc' });
    expect((await failure(() => auth.cancelInstall(done.started.install.installId))).code).toBe('install_already_consumed');
  });

  it('re-installs an existing connection: subject check, superseding, same credential id', async () => {
    const { auth } = harness();
    const first = await installToken(auth, { access_token: 'reinstall-old-1' });
    const oldLease = await auth.requestLease(first.connectionId);
    expect((await failure(() => auth.startInstall('tokenco', 'tenant-1', { subject: 'mallory', connectionId: first.connectionId }))).code).toBe(
      'connection_subject_mismatch',
    );
    expect((await failure(() => auth.startInstall('tokenco', 'tenant-other', { subject: 'octocat', connectionId: first.connectionId }))).code).toBe(
      'unknown_connection',
    );
    const r1 = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId: first.connectionId, requestedScopes: ['repo:read'] });
    expect(r1.connection.state).toBe('installing');
    expect(r1.install.metadata.previousConnectionState).toBe('connected');
    const r2 = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId: first.connectionId, requestedScopes: ['repo:read'] });
    expect(r2.install.metadata.previousConnectionState).toBe('connected');
    expect((await auth.fetchInstall(r1.install.installId)).state).toBe('cancelled');
    expect((await failure(() => auth.completeInstall(r1.install.installId, { callbackToken: r1.callbackToken, subject: 'octocat', secret: { access_token: 'x-token' } }))).code).toBe(
      'install_cancelled',
    );
    const done = await auth.completeInstall(r2.install.installId, { callbackToken: r2.callbackToken, subject: 'octocat', secret: { access_token: 'reinstall-new-1' } });
    expect(done.credentialRef.id).toBe(first.completed.credentialRef.id);
    expect(done.connection.grantedScopes).toEqual(['repo:read']);
    expect((await failure(() => auth.fetchLease(oldLease.leaseId))).code).toBe('lease_superseded');
    expect((await auth.requestLease(first.connectionId)).payload.access_token).toBe('reinstall-new-1');
  });

  it('an abandoned re-install gives the connection back its previous state', async () => {
    const { auth, clock } = harness();
    const first = await installToken(auth, { access_token: 'abandon-me-1' });
    const r = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId: first.connectionId, ttlSeconds: 5 });
    expect((await failure(() => auth.requestLease(first.connectionId))).code).toBe('connection_installing');
    await auth.cancelInstall(r.install.installId);
    expect((await auth.connectionStatus(first.connectionId)).state).toBe('connected');
    expect((await auth.requestLease(first.connectionId)).payload.access_token).toBe('abandon-me-1');

    const r2 = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId: first.connectionId, ttlSeconds: 5 });
    expect(r2.connection.state).toBe('installing');
    clock.advance(5_000);
    expect((await auth.fetchInstall(r2.install.installId)).state).toBe('expired');
    const status = await auth.connectionStatus(first.connectionId);
    expect(status.state).toBe('connected');
    expect(status.stateReason).toContain('expired');
  });

  it('refuses installs for connectors without auth and OAuth without endpoints', async () => {
    const { auth } = harness();
    expect((await failure(() => auth.startInstall('tokenco', 'tenant-1', { subject: 's', method: 'oauth' }))).code).toBe('auth_not_supported');
  });
});
