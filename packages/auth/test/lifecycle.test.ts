import { describe, expect, it } from 'vitest';
import { IntegrationError } from '@integration/contracts';
import { failure, harness, installToken } from './support/fixtures';

describe('install → lease → rotate → revoke', () => {
  it('walks the whole lifecycle and binds leases to credential versions', async () => {
    const { auth, clock } = harness();
    const started = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', actorId: 'user-1' });
    expect(started.install.state).toBe('installing');
    expect(started.connection.state).toBe('installing');
    expect(started.authorizationUrl).toBeNull();
    expect(started.install.callbackTokenHash).not.toContain(started.callbackToken);
    expect(JSON.stringify(started.install)).not.toContain(started.callbackToken);
    expect((await failure(() => auth.requestLease(started.connection.connectionId))).code).toBe('connection_installing');

    const completed = await auth.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'octocat',
      secret: { access_token: 'first-token-aaaa', webhook_secret: 'whsec-first', refresh_token: 'never-leased' },
    });
    expect(completed.install.state).toBe('completed');
    expect(completed.connection.state).toBe('connected');
    expect(completed.connection.grantedScopes).toEqual(['repo:read', 'repo:write']);
    expect(completed.connection.leaseFields).toEqual(['access_token']);
    const connectionId = completed.connection.connectionId;
    expect(completed.credentialRef).toMatchObject({
      subject: 'octocat',
      connectionId,
      installId: started.install.installId,
      connectorId: 'tokenco',
      tenantId: 'tenant-1',
      authType: 'api_token',
    });

    const first = await auth.requestLease(connectionId, { requiredScopes: ['repo:read'], actorId: 'user-1' });
    expect(first.payload).toEqual({ access_token: 'first-token-aaaa' });
    expect(first.scopes).toEqual(['repo:read']);
    expect(Date.parse(first.expiresAt) - Date.parse(first.issuedAt)).toBe(300_000);
    expect((await auth.fetchLease(first.leaseId)).payload).toEqual({ access_token: 'first-token-aaaa' });

    const rotated = await auth.rotateConnection(connectionId, { secret: { access_token: 'second-token-bbbb', webhook_secret: 'whsec-second' } });
    expect(rotated.credentialRef.id).toBe(completed.credentialRef.id);
    expect(rotated.connection.lastRotatedAt).not.toBeNull();
    const second = await auth.requestLease(connectionId, { requiredScopes: ['repo:write'] });
    expect(second.payload).toEqual({ access_token: 'second-token-bbbb' });
    expect(second.credentialRefId).toBe(first.credentialRefId);

    // The old lease id never yields the rotated secret.
    const superseded = await failure(() => auth.fetchLease(first.leaseId));
    expect(superseded).toBeInstanceOf(IntegrationError);
    expect(superseded.code).toBe('lease_superseded');
    expect(JSON.stringify(superseded)).not.toContain('second-token-bbbb');
    expect(superseded.message).not.toContain('second-token-bbbb');
    expect((await auth.fetchLease(second.leaseId)).payload.access_token).toBe('second-token-bbbb');

    clock.advance(1000);
    const revoked = await auth.revokeConnection(connectionId, { reason: 'user uninstalled', actorId: 'admin' });
    expect(revoked.state).toBe('revoked');
    expect(revoked.revocationReason).toBe('user uninstalled');
    expect(revoked.revokedAt).not.toBeNull();
    expect((await failure(() => auth.requestLease(connectionId))).code).toBe('connection_revoked');
    expect((await failure(() => auth.fetchLease(second.leaseId))).code).toBe('lease_revoked');
    expect((await failure(() => auth.bind(connectionId))).code).toBe('connection_revoked');
    expect((await failure(() => auth.resolveSecret(connectionId, 'webhook_secret'))).code).toBe('connection_revoked');
    expect((await failure(() => auth.rotateConnection(connectionId, { secret: { access_token: 'third' } }))).code).toBe('invalid_connection_transition');
    // Revoking twice is a no-op.
    expect((await auth.revokeConnection(connectionId, { reason: 'again' })).revocationReason).toBe('user uninstalled');
  });

  it('wipes the sealed secret on revoke and revokes every outstanding lease', async () => {
    const { auth, stores } = harness();
    const { connectionId, completed } = await installToken(auth, { access_token: 'wipe-me-please' });
    const leases = [await auth.requestLease(connectionId), await auth.requestLease(connectionId)];
    const before = await stores.auth.fetchCredential(completed.credentialRef.id);
    expect(before?.envelope).not.toBeNull();
    await auth.revokeConnection(connectionId, { reason: 'compromised' });
    const after = await stores.auth.fetchCredential(completed.credentialRef.id);
    expect(after?.envelope).toBeNull();
    expect(after?.revokedAt).not.toBeNull();
    expect(after?.version).toBe(before!.version + 1);
    for (const lease of leases) expect((await stores.auth.fetchLease(lease.leaseId))?.revokedAt).not.toBeNull();
  });

  it('expires leases on the clock and checks scopes', async () => {
    const { auth, clock } = harness({ leaseTtlSeconds: 30 });
    const { connectionId } = await installToken(auth, { access_token: 'ttl-token-1234' });
    const lease = await auth.requestLease(connectionId, { ttlSeconds: 10 });
    expect(lease.scopes).toEqual(['repo:read', 'repo:write']);
    clock.advance(9_999);
    expect((await auth.fetchLease(lease.leaseId)).payload.access_token).toBe('ttl-token-1234');
    clock.advance(1);
    expect((await failure(() => auth.fetchLease(lease.leaseId))).code).toBe('expired_lease');
    const defaulted = await auth.requestLease(connectionId);
    expect(Date.parse(defaulted.expiresAt) - clock.now()).toBe(30_000);

    const missing = await failure(() => auth.requestLease(connectionId, { requiredScopes: ['repo:read', 'admin:org'] }));
    expect(missing.code).toBe('missing_connection_scopes');
    expect(missing.details.missing).toEqual(['admin:org']);
    expect((await failure(() => auth.fetchLease('lease_nope'))).code).toBe('unknown_lease');
    expect((await failure(() => auth.requestLease('conn_nope'))).code).toBe('unknown_connection');
    expect((await failure(() => auth.requestLease(connectionId, { ttlSeconds: -1 }))).code).toBe('invalid_argument');
  });

  it('caps a lease at the credential expiry', async () => {
    const { auth, clock } = harness({ refreshSkewMs: 0 });
    const expiresAt = new Date(clock.now() + 120_000).toISOString();
    const { connectionId } = await installToken(auth, { access_token: 'short-lived-1' }, { expiresAt });
    const lease = await auth.requestLease(connectionId);
    expect(lease.expiresAt).toBe(expiresAt);
  });

  it('binds a connection once and cuts leases from the binding without reading it again', async () => {
    const { auth, stores } = harness();
    const { connectionId } = await installToken(auth, { access_token: 'bound-token-1' });
    const bound = await auth.bind(connectionId);
    const reads: string[] = [];
    const fetchConnection = stores.auth.fetchConnection.bind(stores.auth);
    const fetchCredential = stores.auth.fetchCredential.bind(stores.auth);
    stores.auth.fetchConnection = async (id) => (reads.push(`connection ${id}`), fetchConnection(id));
    stores.auth.fetchCredential = async (id) => (reads.push(`credential ${id}`), fetchCredential(id));
    const lease = await auth.lease(bound, { requiredScopes: ['repo:read'], actorId: 'user-1' });
    expect(lease).toMatchObject({ connectionId, credentialRefId: bound.credentialRef.id, scopes: ['repo:read'], payload: { access_token: 'bound-token-1' } });
    expect(reads).toEqual([]);
    expect((await failure(() => auth.lease(bound, { requiredScopes: ['admin:org'] }))).code).toBe('missing_connection_scopes');
    // A binding this service did not make is checked again, like a connection id.
    await auth.revokeConnection(connectionId, { reason: 'test', actorId: 'ops' });
    expect((await failure(() => auth.lease({ ...bound }, {}))).code).toBe('connection_revoked');
    expect(reads.length).toBeGreaterThan(0);
  });

  it('resolves the binding and declared secrets only', async () => {
    const { auth } = harness();
    const { connectionId, completed } = await installToken(auth, { access_token: 'bind-token-1', webhook_secret: 'whsec-bind-1' });
    const binding = await auth.bind(connectionId);
    expect({ ...binding, grantedScopes: [...binding.grantedScopes] }).toEqual({ connectionId, credentialRef: completed.credentialRef, tenantId: 'tenant-1', grantedScopes: ['repo:read', 'repo:write'] });
    expect(await auth.resolveSecret(connectionId, 'webhook_secret')).toBe('whsec-bind-1');
    const undeclared = await failure(() => auth.resolveSecret(connectionId, 'access_token'));
    expect(undeclared.code).toBe('unknown_secret');
    const { connectionId: other } = await installToken(auth, { access_token: 'no-webhook-1' });
    expect((await failure(() => auth.resolveSecret(other, 'webhook_secret'))).code).toBe('unknown_secret');
  });

  it('lists connections and installs with filters and rejects bad filters', async () => {
    const { auth } = harness();
    await installToken(auth, { access_token: 'list-token-1' });
    const pending = await auth.startInstall('tokenco', 'tenant-2', { subject: 'hubot' });
    expect((await auth.connections({ tenantId: 'tenant-1' })).map((c) => c.state)).toEqual(['connected']);
    expect((await auth.connections({ state: 'installing' })).map((c) => c.connectionId)).toEqual([pending.connection.connectionId]);
    expect((await auth.installs({ state: 'completed' })).length).toBe(1);
    expect((await auth.installs({ tenantId: 'tenant-2' })).map((i) => i.installId)).toEqual([pending.install.installId]);
    expect((await failure(() => auth.connections({ state: 'nope' as never }))).code).toBe('invalid_argument');
    expect((await failure(() => auth.connectionStatus('conn_missing'))).code).toBe('unknown_connection');
    expect((await failure(() => auth.fetchInstall('ins_missing'))).code).toBe('unknown_install');
    expect((await failure(() => auth.startInstall('nope', 'tenant-1', { subject: 's' }))).code).toBe('unknown_connector');
    expect((await failure(() => auth.startInstall('tokenco', '', { subject: 's' }))).code).toBe('invalid_argument');
    expect((await failure(() => auth.startInstall('tokenco', 't', { subject: 's', bogus: 1 } as never))).code).toBe('invalid_argument');
  });

  it('disables a connection; only a re-install brings it back', async () => {
    const { auth } = harness();
    const { connectionId } = await installToken(auth, { access_token: 'disable-me-1' });
    const disabled = await auth.disableConnection(connectionId, { reason: 'billing' });
    expect(disabled.state).toBe('disabled');
    expect((await failure(() => auth.requestLease(connectionId))).code).toBe('connection_disabled');
    expect((await failure(() => auth.revokeConnection(connectionId, { reason: 'x' }))).code).toBe('invalid_connection_transition');
    const again = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', connectionId });
    await auth.completeInstall(again.install.installId, { callbackToken: again.callbackToken, subject: 'octocat', secret: { access_token: 'back-again-1' } });
    expect((await auth.requestLease(connectionId)).payload.access_token).toBe('back-again-1');
  });
});
