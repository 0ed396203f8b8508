import { isoAt, type DispatchError, type Stores } from '@integration/contracts';
import type { StoreCheck } from '../battery';
import { assert, rejectsWithCode } from '../assert';
import { T0, at, job } from '../fixtures';

const error = (code: string, offset = 0): DispatchError => ({
  code,
  message: `failed with ${code}`,
  retryable: true,
  details: {},
  stage: 'execution',
  recordedAt: at(offset),
});

/** Resolves true when `wait` settles before `limitMs`, false otherwise (the wake-up never came). */
async function wokeWithin(wait: Promise<void>, limitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), limitMs);
  });
  const result = await Promise.race([wait.then(() => true as const), late]);
  clearTimeout(timer);
  return result;
}

async function expectWake(stores: Stores, trigger: () => Promise<unknown>, label: string, waiter: Stores = stores): Promise<void> {
  const wait = waiter.dispatch.waitForWork(60_000);
  await new Promise((r) => setTimeout(r, 20));
  await trigger();
  assert.ok(await wokeWithin(wait, 10_000), `waitForWork did not wake on ${label}`);
}

export const dispatchChecks: StoreCheck[] = [
  {
    id: 'dispatch.enqueue_fetch_list',
    title: 'enqueue is idempotent by dispatchId; jobs list by createdAt then id with filters',
    async run({ stores }) {
      const j1 = job('disp_b', { executeOptions: { actorId: 'bot' } }, 10);
      const j2 = job('disp_a', { connectorId: 'other', runId: 'run_x' }, 10);
      const j3 = job('disp_c', {}, 1);
      assert.deepEqual(await stores.dispatch.enqueue(j1), { status: 'enqueued', job: j1 });
      await stores.dispatch.enqueue(j2);
      await stores.dispatch.enqueue(j3);
      const dup = await stores.dispatch.enqueue({ ...j1, maxAttempts: 1, status: 'dead_lettered' });
      assert.deepEqual(dup, { status: 'duplicate', job: j1 }, 'a duplicate returns the stored job untouched');
      assert.deepEqual(await stores.dispatch.fetchJob('disp_b'), j1);
      assert.equal(await stores.dispatch.fetchJob('disp_missing'), null);
      assert.deepEqual((await stores.dispatch.listJobs()).map((j) => j.dispatchId), ['disp_c', 'disp_a', 'disp_b']);
      assert.deepEqual((await stores.dispatch.listJobs({ connectorId: 'acme' })).map((j) => j.dispatchId), ['disp_c', 'disp_b']);
      assert.deepEqual((await stores.dispatch.listJobs({ runId: 'run_x' })).map((j) => j.dispatchId), ['disp_a']);
      assert.deepEqual((await stores.dispatch.listJobs({ limit: 1 })).map((j) => j.dispatchId), ['disp_c']);
      assert.deepEqual((await stores.dispatch.listJobs({ from: at(5), to: at(10) })).map((j) => j.dispatchId), ['disp_a', 'disp_b']);
      assert.deepEqual((await stores.dispatch.listJobs({ status: ['running', 'completed'] })).map((j) => j.dispatchId), []);
      assert.deepEqual((await stores.dispatch.listJobs({ status: 'queued', triggerId: 'acme.issue.opened' })).length, 3);
    },
  },
  {
    id: 'dispatch.claim_order_and_lease',
    title: 'claim takes due jobs oldest availableAt first up to the limit, marks them running under a lease',
    async run({ stores }) {
      await stores.dispatch.enqueue(job('disp_late', { availableAt: at(5000) }, 0));
      await stores.dispatch.enqueue(job('disp_2', { availableAt: at(200) }, 0));
      await stores.dispatch.enqueue(job('disp_1', { availableAt: at(100) }, 50));
      await stores.dispatch.enqueue(job('disp_0', { availableAt: at(100) }, 10));
      await stores.dispatch.enqueue(job('disp_done', { status: 'completed', completedAt: at(0) }, 0));
      await stores.dispatch.enqueue(job('disp_dead', { status: 'dead_lettered', deadLetteredAt: at(0) }, 0));
      const now = T0 + 1000;
      const claimed = await stores.dispatch.claim({ leaseOwner: 'w1', limit: 2, leaseMs: 30_000, now });
      assert.deepEqual(claimed.map((j) => j.dispatchId), ['disp_0', 'disp_1']);
      for (const j of claimed) {
        assert.equal(j.status, 'running');
        assert.equal(j.attempts, 1);
        assert.equal(j.lockedBy, 'w1');
        assert.equal(j.lockedUntil, isoAt(now + 30_000));
        assert.equal(j.updatedAt, isoAt(now));
        assert.deepEqual(await stores.dispatch.fetchJob(j.dispatchId), j);
      }
      assert.deepEqual((await stores.dispatch.claim({ leaseOwner: 'w2', limit: 10, leaseMs: 30_000, now })).map((j) => j.dispatchId), ['disp_2']);
      assert.deepEqual(await stores.dispatch.claim({ leaseOwner: 'w2', limit: 10, leaseMs: 30_000, now }), []);
      assert.deepEqual((await stores.dispatch.claim({ leaseOwner: 'w2', limit: 10, leaseMs: 30_000, now: T0 + 5000 })).map((j) => j.dispatchId), ['disp_late']);
      assert.deepEqual((await stores.dispatch.listJobs({ status: 'running' })).length, 4);
    },
  },
  {
    id: 'dispatch.heartbeat_and_settle',
    title: 'heartbeat extends only owned leases; settle completes, retries, dead-letters, releases; lock_lost and unknown_dispatch',
    async run({ stores }) {
      for (const id of ['disp_a', 'disp_b', 'disp_c', 'disp_d']) await stores.dispatch.enqueue(job(id));
      const now = T0 + 1000;
      await stores.dispatch.claim({ leaseOwner: 'w1', limit: 3, leaseMs: 50_000, now });
      await stores.dispatch.claim({ leaseOwner: 'w2', limit: 1, leaseMs: 50_000, now });
      assert.deepEqual(await stores.dispatch.heartbeat(['disp_a', 'disp_d', 'disp_missing', 'disp_b'], 'w1', at(60_000)), ['disp_a', 'disp_b']);
      assert.equal((await stores.dispatch.fetchJob('disp_a'))?.lockedUntil, at(60_000));
      assert.equal((await stores.dispatch.fetchJob('disp_d'))?.lockedUntil, isoAt(now + 50_000));

      await rejectsWithCode(stores.dispatch.settle('disp_d', 'w1', { status: 'completed', at: now }), 'lock_lost');
      await rejectsWithCode(stores.dispatch.settle('disp_missing', 'w1', { status: 'completed', at: now }), 'unknown_dispatch');

      const done = await stores.dispatch.settle('disp_a', 'w1', { status: 'completed', at: now + 1 });
      assert.equal(done.status, 'completed');
      assert.equal(done.completedAt, isoAt(now + 1));
      assert.equal(done.lockedBy, null);
      assert.equal(done.lockedUntil, null);
      assert.deepEqual(await stores.dispatch.fetchJob('disp_a'), done);
      await rejectsWithCode(stores.dispatch.settle('disp_a', 'w1', { status: 'completed', at: now + 2 }), 'lock_lost', 'settling twice: ');

      const retry = await stores.dispatch.settle('disp_b', 'w1', { status: 'retry_scheduled', availableAt: now + 5000, error: error('connector_timeout'), at: now + 2 });
      assert.equal(retry.status, 'retry_scheduled');
      assert.equal(retry.availableAt, isoAt(now + 5000));
      assert.equal(retry.lastError?.code, 'connector_timeout');
      assert.deepEqual(await stores.dispatch.claim({ leaseOwner: 'w3', limit: 5, leaseMs: 1000, now: now + 4999 }), []);
      const reclaimed = await stores.dispatch.claim({ leaseOwner: 'w3', limit: 5, leaseMs: 1000, now: now + 5000 });
      assert.deepEqual(reclaimed.map((j) => [j.dispatchId, j.attempts]), [['disp_b', 2]]);

      const dead = await stores.dispatch.settle('disp_b', 'w3', { status: 'dead_lettered', error: error('policy_denied'), at: now + 5001 });
      assert.equal(dead.status, 'dead_lettered');
      assert.equal(dead.deadLetteredAt, isoAt(now + 5001));
      const released = await stores.dispatch.settle('disp_c', 'w1', { status: 'released', availableAt: now + 10, at: now + 3, undoAttempt: true });
      assert.deepEqual([released.status, released.attempts, released.availableAt], ['queued', 0, isoAt(now + 10)]);
      assert.deepEqual((await stores.dispatch.listJobs({ errorCode: 'policy_denied' })).map((j) => j.dispatchId), ['disp_b']);
    },
  },
  {
    id: 'dispatch.expired_lease_reclaim',
    title: 'an expired lease makes a running job claimable again (lock_lost recorded); the old lease owner loses it',
    async run({ stores }) {
      await stores.dispatch.enqueue(job('disp_a'));
      const now = T0 + 1000;
      await stores.dispatch.claim({ leaseOwner: 'w1', limit: 1, leaseMs: 1000, now });
      assert.deepEqual(await stores.dispatch.claim({ leaseOwner: 'w2', limit: 1, leaseMs: 1000, now: now + 1000 }), [], 'lease still valid at its end');
      const [taken] = await stores.dispatch.claim({ leaseOwner: 'w2', limit: 1, leaseMs: 1000, now: now + 1001 });
      assert.ok(taken);
      assert.equal(taken.lockedBy, 'w2');
      assert.equal(taken.attempts, 2);
      assert.equal(taken.lastError?.code, 'lock_lost');
      assert.equal(taken.lastError?.stage, 'recovery');
      assert.deepEqual(taken.lastError?.details, { previousLeaseOwner: 'w1' });
      assert.deepEqual(await stores.dispatch.heartbeat(['disp_a'], 'w1', at(99_000)), []);
      await rejectsWithCode(stores.dispatch.settle('disp_a', 'w1', { status: 'completed', at: now + 1002 }), 'lock_lost');
      assert.equal((await stores.dispatch.settle('disp_a', 'w2', { status: 'completed', at: now + 1003 })).status, 'completed');
    },
  },
  {
    id: 'dispatch.replay',
    title: 'replay returns matching dead-lettered jobs to queued (attempts kept), by filter, ids and limit',
    async run({ stores }) {
      const dead = (id: string, extra = {}) => job(id, { status: 'dead_lettered', attempts: 5, deadLetteredAt: at(5), lastError: error('connector_internal'), ...extra });
      await stores.dispatch.enqueue(dead('disp_a', { availableAt: at(3) }));
      await stores.dispatch.enqueue(dead('disp_b', { availableAt: at(1), connectorId: 'other' }));
      await stores.dispatch.enqueue(dead('disp_c', { availableAt: at(2) }));
      await stores.dispatch.enqueue(job('disp_q'));
      const now = T0 + 9000;
      assert.deepEqual(await stores.dispatch.replay({ connectorId: 'nobody' }, now), []);
      const one = await stores.dispatch.replay({ dispatchIds: ['disp_a', 'disp_q'] }, now);
      assert.deepEqual(one.map((j) => [j.dispatchId, j.status, j.attempts, j.availableAt, j.lastError, j.deadLetteredAt]), [['disp_a', 'queued', 5, isoAt(now), null, null]]);
      assert.deepEqual(await stores.dispatch.fetchJob('disp_a'), one[0]);
      const limited = await stores.dispatch.replay({ limit: 1 }, now + 1);
      assert.deepEqual(limited.map((j) => j.dispatchId), ['disp_b'], 'claim order: oldest availableAt first');
      assert.deepEqual((await stores.dispatch.replay({}, now + 2)).map((j) => j.dispatchId), ['disp_c']);
      assert.deepEqual(await stores.dispatch.listJobs({ status: 'dead_lettered' }), []);
      assert.equal((await stores.dispatch.fetchJob('disp_q'))?.updatedAt, at(0), 'a queued job is untouched');
    },
  },
  {
    id: 'dispatch.wait_for_work',
    title: 'waitForWork wakes on enqueue, replay and settle-to-retry, resolves on abort and on timeout',
    async run({ stores }) {
      await expectWake(stores, () => stores.dispatch.enqueue(job('disp_a')), 'enqueue');
      await stores.dispatch.claim({ leaseOwner: 'w', limit: 1, leaseMs: 1000, now: T0 + 10 });
      await expectWake(
        stores,
        () => stores.dispatch.settle('disp_a', 'w', { status: 'retry_scheduled', availableAt: T0 + 20, error: error('x'), at: T0 + 11 }),
        'settle to retry',
      );
      await stores.dispatch.claim({ leaseOwner: 'w', limit: 1, leaseMs: 1000, now: T0 + 30 });
      await stores.dispatch.settle('disp_a', 'w', { status: 'dead_lettered', error: error('x'), at: T0 + 31 });
      await expectWake(stores, () => stores.dispatch.replay({}, T0 + 40), 'replay');
      await expectWake(stores, () => stores.transaction((tx) => tx.dispatch.enqueue(job('disp_tx'))), 'enqueue in a committed transaction');
      const controller = new AbortController();
      controller.abort();
      assert.ok(await wokeWithin(stores.dispatch.waitForWork(60_000, controller.signal), 5_000), 'an aborted signal resolves at once');
      assert.ok(await wokeWithin(stores.dispatch.waitForWork(10), 5_000), 'a timeout resolves');
    },
  },
  {
    id: 'dispatch.wait_for_work_across_connections',
    title: 'a waiter on one connection wakes when another connection enqueues',
    async run(ctx) {
      const second = await ctx.connect();
      // The first waitForWork of an instance may set up its listening (e.g. a LISTEN connection).
      await ctx.stores.dispatch.waitForWork(1);
      await expectWake(ctx.stores, () => second.dispatch.enqueue(job('disp_remote')), 'an enqueue on another connection', ctx.stores);
    },
  },
];
