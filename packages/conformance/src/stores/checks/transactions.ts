import type { StoreSet } from '@integration/contracts';
import type { StoreCheck } from '../battery';
import { assert, rejectsWithCode } from '../assert';
import { at, attempt, checkpoint, connection, credential, event, install, job, lease, route, run, target, trigger, artifact } from '../fixtures';

const dk = { tenantId: 'tenant-a', connectorId: 'acme', triggerId: 'acme.issue.opened', dedupeKey: 'dk-tx' };

/** Everything observable in every store, for before/after comparisons. */
async function snapshot(s: StoreSet) {
  return {
    runs: await s.ledger.listRuns(),
    attempts: await s.ledger.listAttempts('run_base'),
    events: await s.ledger.listEvents('run_base'),
    txEvents: await s.ledger.listEvents('run_tx'),
    artifacts: await s.ledger.listArtifacts('run_base'),
    targets: await s.ledger.listTargets(),
    installs: await s.auth.listInstalls(),
    connections: await s.auth.listConnections(),
    credentials: await s.auth.listCredentials(),
    lease: await s.auth.fetchLease('lease_base'),
    triggers: await s.ingress.listTriggers(),
    checkpoint: await s.ingress.fetchCheckpoint(checkpoint('p-base')),
    jobs: await s.dispatch.listJobs(),
    routes: await s.routes.listRoutes(),
  };
}

async function seed(s: StoreSet): Promise<void> {
  await s.ledger.putRun(run({ runId: 'run_base' }));
  await s.ledger.putAttempt(attempt('run_base', 1));
  await s.ledger.appendEvents([event('run_base', 1, 0)]);
  await s.auth.putLease(lease('lease_base', 'conn_base'));
  await s.ingress.putCheckpoint(checkpoint('p-base'));
  await s.dispatch.enqueue(job('disp_base'));
  await s.routes.putRoute(route('route_base'));
}

/** One write (or update) in every store. */
async function writeEverything(tx: StoreSet): Promise<void> {
  await tx.ledger.putRun(run({ runId: 'run_tx' }));
  await tx.ledger.updateRun('run_base', { status: 'completed', updatedAt: at(9) });
  await tx.ledger.putAttempt(attempt('run_base', 2));
  await tx.ledger.updateAttempt('run_base:1', { status: 'completed', updatedAt: at(9) }, { aggregatorId: 'agg-new', aggregatorEpoch: 5 });
  await tx.ledger.appendEvents([event('run_base', 1, 1), event('run_tx', null, 0)]);
  await tx.ledger.putArtifact(artifact('run_base', 'art_tx'));
  await tx.ledger.putTarget(target('tgt_tx'));
  await tx.auth.putInstall(install('ins_tx'));
  await tx.auth.putConnection(connection('conn_tx'));
  await tx.auth.putCredential(credential('cred_tx'));
  await tx.auth.revokeLeases('conn_base', at(9));
  assert.equal(await tx.ingress.reserveDedupe(dk, at(10_000), at(0)), 'reserved');
  await tx.ingress.putTrigger(trigger('adm_tx'));
  await tx.ingress.putCheckpoint(checkpoint('p-base', { cursor: 'moved' }));
  await tx.dispatch.enqueue(job('disp_tx'));
  await tx.dispatch.claim({ leaseOwner: 'w', limit: 5, leaseMs: 1000, now: Date.parse(at(100)) });
  await tx.routes.putRoute(route('route_base', { status: 'disabled' }));
  await tx.routes.putRoute(route('route_tx'));
}

export const transactionChecks: StoreCheck[] = [
  {
    id: 'transactions.rollback_everything',
    title: 'a transaction that throws leaves no write behind in any store',
    async run({ stores }) {
      await seed(stores);
      const before = await snapshot(stores);
      const failure = new Error('abort the transaction');
      let sawOwnWrites = false;
      await assert.rejects(
        stores.transaction(async (tx) => {
          await writeEverything(tx);
          sawOwnWrites = (await tx.ledger.fetchRun('run_tx')) !== null && (await tx.dispatch.fetchJob('disp_tx'))?.status === 'running';
          throw failure;
        }),
        (error) => error === failure,
        'the error thrown by fn is rethrown as is',
      );
      assert.ok(sawOwnWrites, 'a transaction reads its own writes');
      assert.deepEqual(await snapshot(stores), before);
      assert.equal(await stores.ingress.reserveDedupe(dk, at(10_000), at(0)), 'reserved', 'the dedupe reservation was rolled back');
    },
  },
  {
    id: 'transactions.commit_everything',
    title: 'a committed transaction makes every write visible and returns fn’s value',
    async run({ stores }) {
      await seed(stores);
      const value = await stores.transaction(async (tx) => {
        await writeEverything(tx);
        return { ok: 42 };
      });
      assert.deepEqual(value, { ok: 42 });
      const after = await snapshot(stores);
      assert.deepEqual(after.runs.map((r) => [r.runId, r.status]), [['run_base', 'completed'], ['run_tx', 'accepted']]);
      assert.equal(after.attempts.length, 2);
      assert.equal(after.attempts[0]!.aggregatorEpoch, 5);
      assert.equal(after.events.length, 2);
      assert.equal(after.txEvents.length, 1);
      assert.equal(after.lease?.revokedAt, at(9));
      assert.equal(after.checkpoint?.revision, 2);
      assert.deepEqual(after.jobs.map((j) => j.status), ['running', 'running']);
      assert.deepEqual(after.routes.map((r) => [r.routeId, r.revision]), [['route_base', 2], ['route_tx', 1]]);
      assert.equal(await stores.ingress.reserveDedupe(dk, at(10_000), at(0)), 'duplicate');
    },
  },
  {
    id: 'transactions.expected_conflicts_do_not_poison',
    title: 'a duplicate dedupe key, duplicate_record and event_conflict caught inside a transaction leave it usable',
    async run({ stores }) {
      await seed(stores);
      await stores.ingress.reserveDedupe(dk, at(10_000), at(0));
      await stores.transaction(async (tx) => {
        assert.equal(await tx.ingress.reserveDedupe(dk, at(10_000), at(1)), 'duplicate');
        await rejectsWithCode(tx.ledger.putRun(run({ runId: 'run_base' })), 'duplicate_record');
        await rejectsWithCode(tx.ledger.appendEvents([event('run_base', 1, 0, { type: 'different' })]), 'event_conflict');
        await rejectsWithCode(tx.ledger.updateRun('run_nope', { status: 'failed', updatedAt: at(1) }), 'unknown_run');
        await rejectsWithCode(tx.dispatch.settle('disp_base', 'nobody', { status: 'completed', at: 1 }), 'lock_lost');
        await tx.ledger.putRun(run({ runId: 'run_after' }));
        await tx.ledger.appendEvents([event('run_after', null, 0)]);
      });
      assert.equal((await stores.ledger.fetchRun('run_after'))?.runId, 'run_after');
      assert.equal((await stores.ledger.listEvents('run_after')).length, 1);
    },
  },
  {
    id: 'transactions.concurrent_atomic_writes',
    title: 'concurrent transactions bumping one checkpoint each get their own revision; plain calls see only committed state',
    async run({ stores }) {
      // Tiers differ in isolation (memory and SQLite serialise transactions, Postgres runs them
      // READ COMMITTED), so read-modify-write across calls needs a lock; single store calls are atomic.
      const key = checkpoint('p-counter');
      await stores.ingress.putCheckpoint(key);
      const bump = (n: number) =>
        stores.transaction(async (tx) => {
          await new Promise((r) => setTimeout(r, 2));
          const stored = await tx.ingress.putCheckpoint({ ...key, cursor: String(n) });
          await tx.ledger.putRun(run({ runId: `run_bump_${n}` }));
          return stored.revision;
        });
      const revisions = await Promise.all(Array.from({ length: 8 }, (_, n) => bump(n)));
      assert.deepEqual([...revisions].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal((await stores.ingress.fetchCheckpoint(key))?.revision, 9);
      assert.equal((await stores.ledger.listRuns()).length, 8);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const wrote = new Promise<void>((r) => (written = r));
      const open = stores.transaction(async (tx) => {
        await tx.ledger.putRun(run({ runId: 'run_pending' }));
        written();
        await gate;
        throw new Error('rolled back');
      });
      await wrote;
      const outside = stores.ledger.fetchRun('run_pending');
      release();
      await assert.rejects(open);
      assert.equal(await outside, null, 'a plain read never sees uncommitted writes');
      assert.equal(await stores.ledger.fetchRun('run_pending'), null);
    },
  },
];
