import type { DedupeScope } from '@integration/contracts';
import type { StoreCheck } from '../battery';
import { assert } from '../assert';
import { at, checkpoint, trigger, uid } from '../fixtures';

const scope = (dedupeKey: string): DedupeScope => ({ tenantId: 'tenant-a', connectorId: 'acme', triggerId: 'acme.issue.opened', dedupeKey });

export const ingressChecks: StoreCheck[] = [
  {
    id: 'ingress.dedupe_ttl_and_sweep',
    title: 'a reservation is duplicate until it expires, then taken over; sweep deletes expired ones',
    async run({ stores }) {
      const k = scope(`dk-${uid()}`);
      assert.equal(await stores.ingress.reserveDedupe(k, at(1000), at(0)), 'reserved');
      assert.equal(await stores.ingress.reserveDedupe(k, at(5000), at(10)), 'duplicate');
      assert.equal(await stores.ingress.reserveDedupe(k, at(5000), at(999)), 'duplicate');
      assert.equal(await stores.ingress.reserveDedupe({ ...k, tenantId: 'tenant-b' }, at(1000), at(10)), 'reserved', 'scope includes tenant');
      assert.equal(await stores.ingress.reserveDedupe({ ...k, triggerId: 'other' }, at(1000), at(10)), 'reserved', 'scope includes trigger');
      assert.equal(await stores.ingress.reserveDedupe(k, at(3000), at(1000)), 'reserved', 'expired at now: taken over');
      assert.equal(await stores.ingress.reserveDedupe(k, at(9000), at(2999)), 'duplicate', 'the takeover extended the expiry');
      assert.equal(await stores.ingress.reserveDedupe(scope(`dk-${uid()}`), at(500), at(0)), 'reserved');
      assert.equal(await stores.ingress.sweepDedupe(at(499)), 0);
      assert.equal(await stores.ingress.sweepDedupe(at(1000)), 3, 'expiring at or before now');
      assert.equal(await stores.ingress.sweepDedupe(at(1000)), 0);
      assert.equal(await stores.ingress.reserveDedupe(k, at(9000), at(2999)), 'duplicate', 'unexpired keys survive the sweep');
      assert.equal(await stores.ingress.sweepDedupe(at(3000)), 1);
      assert.equal(await stores.ingress.reserveDedupe(k, at(9000), at(3000)), 'reserved');
    },
  },
  {
    id: 'ingress.triggers',
    title: 'triggers upsert, list by createdAt then admissionId with filters, by run, and newest accepted per scope',
    async run({ stores }) {
      const s = uid();
      const t1 = trigger(`adm_${s}_b`, { dedupeKey: 'same', runId: 'run_1' }, 5);
      const t2 = trigger(`adm_${s}_a`, { dedupeKey: 'same', runId: 'run_2' }, 5);
      const t3 = trigger(`adm_${s}_c`, { dedupeKey: 'same', status: 'rejected', rejectionReason: { code: 'signature_invalid', message: 'bad', retryable: false, details: {} } }, 9);
      const t4 = trigger(`adm_${s}_d`, { tenantId: 'tenant-b', triggerId: 'other', runId: 'run_1' }, 1);
      for (const t of [t1, t2, t3, t4]) await stores.ingress.putTrigger(t);
      assert.deepEqual(await stores.ingress.fetchTrigger(t3.admissionId), t3);
      assert.equal(await stores.ingress.fetchTrigger(`adm_${s}_missing`), null);
      assert.deepEqual((await stores.ingress.listTriggers()).map((t) => t.admissionId), [t4, t2, t1, t3].map((t) => t.admissionId));
      assert.deepEqual((await stores.ingress.listTriggers({ tenantId: 'tenant-a', status: 'accepted' })).map((t) => t.admissionId), [t2.admissionId, t1.admissionId]);
      assert.deepEqual((await stores.ingress.listTriggers({ triggerId: 'other' })).map((t) => t.admissionId), [t4.admissionId]);
      assert.deepEqual((await stores.ingress.listTriggers({ limit: 2 })).map((t) => t.admissionId), [t4.admissionId, t2.admissionId]);
      assert.deepEqual((await stores.ingress.listRunTriggers('run_1')).map((t) => t.admissionId), [t4.admissionId, t1.admissionId]);
      assert.equal((await stores.ingress.fetchTriggerByScope(scope('same')))?.admissionId, t1.admissionId, 'newest accepted: same createdAt, larger id');
      const t1b = { ...t1, status: 'rejected' as const, updatedAt: at(20) };
      await stores.ingress.putTrigger(t1b);
      assert.deepEqual(await stores.ingress.fetchTrigger(t1.admissionId), t1b);
      assert.equal((await stores.ingress.fetchTriggerByScope(scope('same')))?.admissionId, t2.admissionId);
      assert.equal(await stores.ingress.fetchTriggerByScope(scope('none')), null);
      assert.deepEqual((await stores.ingress.listTriggers({ status: 'rejected' })).map((t) => t.admissionId), [t1.admissionId, t3.admissionId]);
    },
  },
  {
    id: 'ingress.checkpoint_revisions',
    title: 'checkpoints start at revision 1 and bump on every write, whatever revision the caller sends',
    async run({ stores }) {
      const c = checkpoint(`p-${uid()}`, { revision: 7, metadata: { shard: 1 } });
      const first = await stores.ingress.putCheckpoint(c);
      assert.deepEqual(first, { ...c, revision: 1 });
      assert.deepEqual(await stores.ingress.fetchCheckpoint(c), first);
      const second = await stores.ingress.putCheckpoint({ ...c, cursor: 'c-2', lastEventId: 'e-2', updatedAt: at(5) });
      assert.equal(second.revision, 2);
      assert.equal(second.cursor, 'c-2');
      const third = await stores.ingress.putCheckpoint({ ...c, cursor: 'c-3', revision: 1 });
      assert.equal(third.revision, 3);
      assert.deepEqual(await stores.ingress.fetchCheckpoint(c), third);
      assert.equal((await stores.ingress.putCheckpoint({ ...c, partitionKey: `${c.partitionKey}-other` })).revision, 1);
      assert.equal(await stores.ingress.fetchCheckpoint({ ...c, tenantId: 'tenant-z' }), null);
    },
  },
];
