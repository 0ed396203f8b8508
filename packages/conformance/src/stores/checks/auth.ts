import { createDecipheriv, randomUUID } from 'node:crypto';
import type { StoreCheck } from '../battery';
import { assert } from '../assert';
import { at, connection, credential, install, lease, sealWithTestKey } from '../fixtures';

export const authChecks: StoreCheck[] = [
  {
    id: 'auth.installs_and_connections',
    title: 'installs and connections upsert, filter and list by createdAt then id',
    async run({ stores }) {
      const i2 = install('ins_b', { tenantId: 't1' }, 10);
      const i1 = install('ins_a', { tenantId: 't1', connectorId: 'other', state: 'completed' }, 10);
      const i0 = install('ins_c', { tenantId: 't2' }, 1);
      for (const i of [i2, i1, i0]) await stores.auth.putInstall(i);
      assert.deepEqual((await stores.auth.listInstalls()).map((i) => i.installId), ['ins_c', 'ins_a', 'ins_b']);
      assert.deepEqual((await stores.auth.listInstalls({ tenantId: 't1' })).map((i) => i.installId), ['ins_a', 'ins_b']);
      assert.deepEqual((await stores.auth.listInstalls({ state: 'completed' })).map((i) => i.installId), ['ins_a']);
      assert.deepEqual((await stores.auth.listInstalls({ connectionId: 'conn_ins_c' })).map((i) => i.installId), ['ins_c']);
      const i2b = { ...i2, state: 'completed' as const, grantedScopes: ['x'], completedAt: at(50), updatedAt: at(50) };
      await stores.auth.putInstall(i2b);
      assert.deepEqual(await stores.auth.fetchInstall('ins_b'), i2b);
      assert.deepEqual((await stores.auth.listInstalls({ state: 'completed', tenantId: 't1' })).map((i) => i.installId), ['ins_a', 'ins_b']);
      assert.equal(await stores.auth.fetchInstall('ins_missing'), null);

      const c1 = connection('conn_b', { tenantId: 't1' }, 3);
      const c2 = connection('conn_a', { tenantId: 't2', state: 'degraded', connectorId: 'other' }, 3);
      await stores.auth.putConnection(c1);
      await stores.auth.putConnection(c2);
      assert.deepEqual((await stores.auth.listConnections()).map((c) => c.connectionId), ['conn_a', 'conn_b']);
      assert.deepEqual((await stores.auth.listConnections({ connectorId: 'other' })).map((c) => c.connectionId), ['conn_a']);
      const c1b = { ...c1, state: 'revoked' as const, revokedAt: at(9), revocationReason: 'user' };
      await stores.auth.putConnection(c1b);
      assert.deepEqual(await stores.auth.fetchConnection('conn_b'), c1b);
      assert.deepEqual((await stores.auth.listConnections({ state: 'revoked' })).map((c) => c.connectionId), ['conn_b']);
      assert.equal(await stores.auth.fetchConnection('conn_missing'), null);
    },
  },
  {
    id: 'auth.credentials_and_leases',
    title: 'credentials upsert and list; leases upsert; revokeLeases marks only open leases of the connection',
    async run({ stores }) {
      const cr2 = credential('cred_b', {}, 5);
      const cr1 = credential('cred_a', {}, 5);
      await stores.auth.putCredential(cr2);
      await stores.auth.putCredential(cr1);
      assert.deepEqual(await stores.auth.listCredentials(), [cr1, cr2]);
      const rotated = { ...cr2, version: 2, envelope: sealWithTestKey('cred_b', 'rotated').envelope, updatedAt: at(9) };
      await stores.auth.putCredential(rotated);
      assert.deepEqual(await stores.auth.fetchCredential('cred_b'), rotated);
      assert.equal(await stores.auth.fetchCredential('cred_missing'), null);

      const open1 = lease('lease_1', 'conn_x');
      const open2 = lease('lease_2', 'conn_x');
      const closed = lease('lease_3', 'conn_x', { revokedAt: at(1) });
      const other = lease('lease_4', 'conn_y');
      for (const l of [open1, open2, closed, other]) await stores.auth.putLease(l);
      assert.deepEqual(await stores.auth.fetchLease('lease_2'), open2);
      assert.equal(await stores.auth.revokeLeases('conn_x', at(100)), 2);
      assert.deepEqual(await stores.auth.fetchLease('lease_1'), { ...open1, revokedAt: at(100) });
      assert.deepEqual(await stores.auth.fetchLease('lease_3'), closed, 'an already revoked lease keeps its revokedAt');
      assert.deepEqual(await stores.auth.fetchLease('lease_4'), other);
      assert.equal(await stores.auth.revokeLeases('conn_x', at(200)), 0);
      assert.equal(await stores.auth.fetchLease('lease_missing'), null);
    },
  },
  {
    id: 'auth.with_lock_single_flight',
    title: 'withLock runs callers of one key one at a time, other keys in parallel, and releases on throw',
    async run({ stores }) {
      const key = `refresh:${randomUUID()}`;
      let inside = 0;
      let maxInside = 0;
      const order: number[] = [];
      const critical = (n: number) => async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 5));
        order.push(n);
        inside -= 1;
        return n;
      };
      const results = await Promise.all([1, 2, 3, 4].map((n) => stores.auth.withLock(key, critical(n))));
      assert.deepEqual(results, [1, 2, 3, 4]);
      assert.equal(maxInside, 1, 'two holders of one lock at once');
      await assert.rejects(stores.auth.withLock(key, async () => {
        throw new Error('boom');
      }), /boom/);
      assert.equal(await stores.auth.withLock(key, async () => 'again'), 'again', 'a throwing holder releases the lock');
      let otherRan = false;
      await stores.auth.withLock(key, async () => {
        await stores.auth.withLock(`${key}:other`, async () => {
          otherRan = true;
        });
      });
      assert.ok(otherRan, 'a different key is not blocked');
    },
  },
  {
    id: 'auth.with_lock_across_connections',
    title: 'withLock excludes a holder on a second connection to the same storage',
    async run(ctx) {
      const second = await ctx.connect();
      const key = `refresh:${randomUUID()}`;
      let inside = 0;
      let maxInside = 0;
      const critical = async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 30));
        inside -= 1;
      };
      await Promise.all([ctx.stores.auth.withLock(key, critical), second.auth.withLock(key, critical), ctx.stores.auth.withLock(key, critical)]);
      assert.equal(maxInside, 1);
    },
  },
  {
    id: 'auth.credentials_sealed_at_rest',
    title: 'a stored credential leaves only ciphertext at rest: the canary plaintext is nowhere in raw storage',
    async run(ctx) {
      const canary = `canary-plaintext-${randomUUID()}`;
      const marker = `visible-marker-${randomUUID()}`;
      const { envelope, key } = sealWithTestKey('cred_canary', JSON.stringify({ access_token: canary, refresh_token: `${canary}-r` }));
      const sealed = credential('cred_canary', { envelope, metadata: { marker } });
      await ctx.stores.auth.putCredential(sealed);
      await ctx.stores.auth.putConnection(connection('conn_canary', { credentialRefId: 'cred_canary', metadata: { marker } }));
      const raw = await ctx.rawStorage();
      assert.ok(raw.includes(marker), 'the raw storage scan must see the stored record (positive control)');
      assert.ok(!raw.includes(canary), 'the canary plaintext reached raw storage');
      assert.ok(!raw.includes(Buffer.from(canary).toString('base64').slice(0, 24)), 'the canary reached raw storage base64-encoded');
      const fetched = await ctx.stores.auth.fetchCredential('cred_canary');
      assert.deepEqual(fetched?.envelope, envelope, 'the envelope round-trips byte for byte');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(fetched!.envelope!.iv, 'base64'));
      decipher.setAAD(Buffer.from('integration.auth:cred_canary'));
      decipher.setAuthTag(Buffer.from(fetched!.envelope!.tag, 'base64'));
      const opened = Buffer.concat([decipher.update(Buffer.from(fetched!.envelope!.ciphertext, 'base64')), decipher.final()]).toString('utf8');
      assert.ok(opened.includes(canary), 'the stored envelope is the ciphertext of the secret');
    },
  },
];
