/**
 * Lease fencing per claim: a delivery whose lease expired must not settle a job that has been
 * claimed again since, even when the new claim was made by the same worker (or by another worker
 * instance that was given the same workerId). Runs on every store tier.
 */
import diagnostics from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DispatchJob, Stores } from '@integration/contracts';
import type { DispatchWorker, RunExecutor } from '../src/index';
import { availableTiers, type TierHandle } from './support/tiers';
import { harness } from './support/harness';
import { waitFor } from './support/fixtures';

const tiers = await availableTiers('lease');

/** Dispatch telemetry of one job: every settlement a delivery made publishes exactly one message. */
function settlementsOf(dispatchId: string) {
  const seen: Array<{ channel: string; attempt: unknown }> = [];
  const channels = ['deliver', 'retry', 'dead_letter'].map((name) => `integration:dispatch:${name}`);
  const listeners = channels.map((channel) => {
    const listener = (message: unknown) => {
      const m = message as { dispatchId?: string; attempt?: unknown; attempts?: unknown };
      if (m.dispatchId === dispatchId) seen.push({ channel: channel.split(':').at(-1)!, attempt: m.attempt ?? m.attempts });
    };
    diagnostics.subscribe(channel, listener);
    return listener;
  });
  return { seen, off: () => channels.forEach((channel, i) => diagnostics.unsubscribe(channel, listeners[i]!)) };
}

/** Wraps an executor, noting per delivery (in return order) whether it had been aborted by then. */
function abortWatch(inner: RunExecutor) {
  const returned: Array<{ aborted: boolean }> = [];
  const executor: RunExecutor = {
    async executeRun(runId, options, call) {
      try {
        return await inner.executeRun(runId, options, call);
      } finally {
        returned.push({ aborted: call?.signal?.aborted ?? false });
      }
    },
  };
  return { executor, returned };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The lease owner whose expired lease a recovering claim took over. */
const previousOwnerOf = (job: DispatchJob) => (job.lastError?.details as { previousLeaseOwner?: string } | undefined)?.previousLeaseOwner;

/**
 * Attempt 1 stalls past its lease (1.2 s) and then fails retryably; attempt 2 (the re-claim, at
 * ~1.25 s) takes 750 ms and succeeds within its own lease. The stale attempt 1 ends (~1.7 s) while
 * attempt 2 is still running. Each margin is ≥ 300 ms.
 */
const STALE_THEN_FRESH = { sleepMsByAttempt: [1_700, 750], failTimes: 1 };
/** Heartbeats that come too late to renew anything (a stalled event loop, a slow store). */
const LATE_HEARTBEATS = { leaseMs: 1_200, heartbeatMs: 60_000 };

describe.each(tiers)('dispatch lease fencing on $name', (tier) => {
  let handle: TierHandle;
  let stores: Stores;
  let h: ReturnType<typeof harness>;
  const workers: DispatchWorker[] = [];
  const jobWhere = (id: string, done: (job: DispatchJob) => boolean) => waitFor(() => h.queue.fetchJob(id), done);
  const started = (options: Parameters<typeof h.worker>[0] = {}) => {
    const w = h.worker(options);
    workers.push(w);
    w.start();
    return w;
  };
  /** Until every delivery (stale ones included) has returned and settled or dropped its outcome. */
  const drained = (...ws: DispatchWorker[]) => waitFor(async () => ws.map((w) => w.inFlight()), (n) => n.every((x) => x === 0));

  beforeEach(async () => {
    handle = await tier.create();
    stores = handle.stores;
    h = harness(stores);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop({ graceMs: 2_000 });
    await handle.cleanup();
  });

  it('a worker that re-claims a job whose lease it let expire: only the newer delivery settles it', async () => {
    const { job, admission } = await h.admitAndEnqueue({ behavior: STALE_THEN_FRESH });
    const probe = settlementsOf(job.dispatchId);
    try {
      const watch = abortWatch(h.executor);
      const w = started({ ...LATE_HEARTBEATS, concurrency: 4, executor: watch.executor });
      // The worker itself claims the job again once attempt 1's lease has run out.
      const reclaimed = await jobWhere(job.dispatchId, (j) => j.attempts >= 2);
      expect(reclaimed).toMatchObject({ status: 'running', lastError: { stage: 'recovery', code: 'lock_lost' } });

      await jobWhere(job.dispatchId, (j) => j.status !== 'running');
      await drained(w);
      // Without per-claim owners the stale attempt 1 passes the fence and settles the job while
      // attempt 2 runs: dead-lettered, since the ledger refuses its superseded attempt (lock_lost).
      expect(await h.queue.fetchJob(job.dispatchId)).toMatchObject({ status: 'completed', attempts: 2, lockedBy: null, lastError: null });
      expect(probe.seen).toEqual([{ channel: 'deliver', attempt: 2 }]);
      expect(w.stats()).toMatchObject({ claimed: 2, completed: 1, retried: 0, deadLettered: 0, lostClaims: 1 });
      // The re-claim itself told the worker the older lease was gone: the stale delivery was
      // aborted then (it returned first, cancelled), not left to run its 1.7 s and meet the fence.
      expect(watch.returned).toEqual([{ aborted: true }, { aborted: false }]);
      const attempts = await stores.ledger.listAttempts(admission.run.runId);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
      expect(attempts.filter((a) => a.status === 'completed').map((a) => a.attempt)).toEqual([2]);
      expect(await stores.ledger.fetchRun(admission.run.runId)).toMatchObject({ status: 'completed', result: { attempt: 2 } });
      // Both claims were the same worker's, under two lease owners with its id as the prefix.
      expect(reclaimed.lockedBy?.startsWith(`${w.workerId}#`)).toBe(true);
      expect(reclaimed.lockedBy).not.toBe(previousOwnerOf(reclaimed));
    } finally {
      probe.off();
    }
  });

  it('another worker instance with the same workerId takes the job over: the first one\'s late outcome fails the fence', async () => {
    const { job, admission } = await h.admitAndEnqueue({ behavior: STALE_THEN_FRESH });
    const probe = settlementsOf(job.dispatchId);
    try {
      // concurrency 1: the first instance is busy with attempt 1, so only the second can re-claim.
      const first = started({ ...LATE_HEARTBEATS, workerId: 'twin', concurrency: 1 });
      const held = await jobWhere(job.dispatchId, (j) => j.status === 'running');
      // Started once the lease has expired, the second instance takes the job with its very first
      // claim: the same claim number as the first instance's (only the instance part differs).
      await sleep(Date.parse(held.lockedUntil!) - Date.now() + 20);
      const second = started({ ...LATE_HEARTBEATS, workerId: 'twin', concurrency: 1 });
      const takenOver = await jobWhere(job.dispatchId, (j) => j.attempts >= 2);

      await jobWhere(job.dispatchId, (j) => j.status !== 'running');
      await drained(first, second);
      expect(await h.queue.fetchJob(job.dispatchId)).toMatchObject({ status: 'completed', attempts: 2 });
      expect(probe.seen).toEqual([{ channel: 'deliver', attempt: 2 }]);
      expect(first.stats()).toMatchObject({ claimed: 1, completed: 0, retried: 0, deadLettered: 0, lostClaims: 1 });
      expect(second.stats()).toMatchObject({ claimed: 1, completed: 1, retried: 0, lostClaims: 0 });
      expect(takenOver.attempts).toBe(2);
      const attempts = await stores.ledger.listAttempts(admission.run.runId);
      expect(attempts.filter((a) => a.status === 'completed').map((a) => a.attempt)).toEqual([2]);
      expect(takenOver.lockedBy?.startsWith('twin#')).toBe(true);
      expect(takenOver.lockedBy).not.toBe(previousOwnerOf(takenOver));
    } finally {
      probe.off();
    }
  });

  it('heartbeats renew every claim\'s lease (several claims, prefetched jobs): long deliveries run once', async () => {
    const jobs = [];
    for (let i = 0; i < 4; i += 1) jobs.push(await h.admitAndEnqueue({ behavior: { sleepMs: 1_500 } }));
    // batchSize 1: each job is claimed by its own claim call, under its own lease owner.
    // Deliveries run 2.5 leases; a heartbeat every 100 ms leaves 500 ms of slack for a busy machine.
    const w = started({ concurrency: 2, batchSize: 1, prefetch: 2, leaseMs: 600, heartbeatMs: 100 });
    await waitFor(() => h.queue.jobs({ status: 'completed' }), (list) => list.length === jobs.length, 15_000);
    for (const { job, admission } of jobs) {
      expect(await h.queue.fetchJob(job.dispatchId)).toMatchObject({ status: 'completed', attempts: 1 });
      expect((await stores.ledger.listAttempts(admission.run.runId)).map((a) => a.status)).toEqual(['completed']);
    }
    expect(w.stats()).toMatchObject({ claimed: 4, completed: 4, lostClaims: 0 });
  });
});
