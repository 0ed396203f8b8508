import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type RefreshHandler } from '@integration/contracts';
import { createAuthService } from '../src/index';
import { apiTokenConnector, captureLogger, failure, installToken, key, testConnector } from './support/fixtures';
import { sqliteStores } from '@integration/store-local';
import { postgresStores } from '@integration/store-postgres';
import { storeTiers, type StoreTierFactory, type TierInstance } from '@integration/test-kit';

const all = await storeTiers({ sqlite: sqliteStores, postgres: postgresStores }, { label: 'auth' });
const CANARY = 'CANARYtier5e1d';

describe.each(all)('auth on the $name tier', (tier: StoreTierFactory) => {
  const instances: TierInstance[] = [];
  const open = async () => {
    const instance = await tier.create();
    instances.push(instance);
    return instance;
  };
  afterEach(async () => {
    for (const instance of instances.splice(0)) await instance.cleanup();
  });

  it.skipIf(tier.unavailable !== null)('lifecycle: lease binding, rotation, revocation; no secret in the raw store', async () => {
    const { stores, rawContents } = await open();
    const clock = new ManualClock();
    const auth = createAuthService({ stores, connectors: [apiTokenConnector()], secrets: { keys: { k1: key() }, activeKeyId: 'k1' }, environment: 'test', clock });
    const { connectionId, started } = await installToken(auth, { access_token: `${CANARY}-first`, webhook_secret: `${CANARY}-whsec`, refresh_token: `${CANARY}-rt` });
    const first = await auth.requestLease(connectionId, { requiredScopes: ['repo:read'] });
    expect(first.payload).toEqual({ access_token: `${CANARY}-first` });
    expect((await auth.fetchLease(first.leaseId)).payload.access_token).toBe(`${CANARY}-first`);
    await auth.rotateConnection(connectionId, { secret: { access_token: `${CANARY}-second` } });
    expect((await failure(() => auth.fetchLease(first.leaseId))).code).toBe('lease_superseded');
    const second = await auth.requestLease(connectionId);
    expect(second.payload.access_token).toBe(`${CANARY}-second`);
    clock.advance(301_000);
    expect((await failure(() => auth.fetchLease(second.leaseId))).code).toBe('expired_lease');
    const third = await auth.requestLease(connectionId);
    const pending = await auth.startInstall('tokenco', 'tenant-1', { subject: 'octocat', ttlSeconds: 5 });
    clock.advance(5_000);
    expect((await auth.installs({ state: 'expired' })).map((i) => i.installId)).toEqual([pending.install.installId]);
    await auth.revokeConnection(connectionId, { reason: 'tier test' });
    expect((await failure(() => auth.fetchLease(third.leaseId))).code).toBe('lease_revoked');
    expect((await failure(() => auth.requestLease(connectionId))).code).toBe('connection_revoked');
    const bytes = rawContents ? (await rawContents()).toString('latin1') : '';
    expect(bytes).not.toContain(CANARY);
    expect(bytes).not.toContain(started.callbackToken);
  });

  it.skipIf(tier.unavailable !== null)('refresh single-flight across two Stores instances (two "processes")', async () => {
    const instance = await open();
    const other = await instance.reopen();
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const clock = { now: () => now };
    let calls = 0;
    const refresh: RefreshHandler = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { secret: { access_token: `tier-refreshed-${calls}` }, expiresAt: new Date(now + 3_600_000).toISOString() };
    };
    const connectors = [testConnector('tokenco', { type: 'api_token', requestedScopes: ['repo:read'], refresh })];
    const keys = { k1: key() };
    const a = createAuthService({ stores: instance.stores, connectors, secrets: { keys, activeKeyId: 'k1' }, environment: 'test', clock });
    const b = createAuthService({ stores: other, connectors, secrets: { keys, activeKeyId: 'k1' }, environment: 'test', clock });
    const { connectionId } = await installToken(a, { access_token: 'tier-stale' }, { expiresAt: new Date(now + 1_000).toISOString() });
    now += 10_000;
    const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).requestLease(connectionId)));
    expect(calls).toBe(1);
    expect(new Set(leases.map((l) => l.payload.access_token))).toEqual(new Set(['tier-refreshed-1']));
    expect((await b.connectionStatus(connectionId)).state).toBe('connected');
  });

  it.skipIf(tier.unavailable !== null)('key rotation with rewrapCredentials; the old key removed afterwards', async () => {
    const { stores } = await open();
    const k1 = key();
    const k2 = key();
    const logger = captureLogger();
    const common = { stores, connectors: [apiTokenConnector()], environment: 'test' as const, logger };
    const before = createAuthService({ ...common, secrets: { keys: { k1 }, activeKeyId: 'k1' } });
    const { connectionId } = await installToken(before, { access_token: 'tier-rewrap' });
    const during = createAuthService({ ...common, secrets: { keys: { k1, k2 }, activeKeyId: 'k2' } });
    expect((await during.rewrapCredentials()).credentials).toBe(1);
    const after = createAuthService({ ...common, secrets: { keys: { k2 }, activeKeyId: 'k2' } });
    expect((await after.requestLease(connectionId)).payload.access_token).toBe('tier-rewrap');
    expect(logger.lines.join('\n')).not.toContain('tier-rewrap');
  });
});
