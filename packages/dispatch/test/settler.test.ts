/** The settler: a delivery's outcome is written once, transient store failures are retried, fences are final. */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, silentLogger, systemClock, type DispatchJob, type DispatchSettlement, type DispatchStore } from '@integration/contracts';
import { HeldClaims, type Delivery } from '../src/held-claims';
import { Settler } from '../src/settler';
import { emptyWorkerStats } from '../src/worker-stats';

const job = { dispatchId: 'disp_1', attempts: 1 } as DispatchJob;
const completed: DispatchSettlement = { status: 'completed', at: 0 };

/** A store whose settle fails with the given errors, in order, then succeeds. */
function flakyStore(failures: unknown[]) {
  const calls: string[] = [];
  const store = {
    async settle(dispatchId: string, leaseOwner: string) {
      calls.push(`${dispatchId}@${leaseOwner}`);
      const failure = failures.shift();
      if (failure) throw failure;
      return job;
    },
  } as unknown as DispatchStore;
  return { store, calls };
}

function setup(failures: unknown[], { stopping = false } = {}) {
  const { store, calls } = flakyStore(failures);
  const stats = emptyWorkerStats();
  const held = new HeldClaims(stats, silentLogger);
  const settler = new Settler({ store, held, stats, clock: systemClock, logger: silentLogger, isStopping: () => stopping });
  const delivery: Delivery = { claim: { job, leaseOwner: 'w#a.1' }, controller: new AbortController(), abandoned: false, executed: true, done: Promise.resolve() };
  return { settler, delivery, calls, stats };
}

describe('Settler', () => {
  it('retries a failing store with backoff, under the claim\'s lease owner, until the settle lands', async () => {
    const { settler, delivery, calls } = setup([new Error('connection reset'), new Error('connection reset')]);
    const started = Date.now();
    expect(await settler.settle(delivery, completed)).toBe(job);
    expect(calls).toEqual(['disp_1@w#a.1', 'disp_1@w#a.1', 'disp_1@w#a.1']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290); // 100 ms + 200 ms
  });

  it('gives up after five tries and drops the outcome (the claim\'s lease expiry takes over)', async () => {
    const { settler, delivery, calls } = setup(Array.from({ length: 6 }, () => new Error('down')));
    expect(await settler.settle(delivery, completed)).toBeNull();
    expect(calls).toHaveLength(5);
  });

  it('a fenced settle is final: the claim is lost, the delivery aborted, nothing retried', async () => {
    const { settler, delivery, calls, stats } = setup([new ConflictError('lock_lost', 'fenced')]);
    expect(await settler.settle(delivery, completed)).toBeNull();
    expect(calls).toHaveLength(1);
    expect(stats.lostClaims).toBe(1);
    expect(delivery.abandoned).toBe(true);
    expect(delivery.controller.signal.aborted).toBe(true);
  });

  it('a job that no longer exists is dropped without a retry or a lost claim', async () => {
    const { settler, delivery, calls, stats } = setup([new NotFoundError('unknown_dispatch', 'gone')]);
    expect(await settler.settle(delivery, completed)).toBeNull();
    expect(calls).toHaveLength(1);
    expect(stats.lostClaims).toBe(0);
  });

  it('once the worker is stopping a failed settle is not retried', async () => {
    const { settler, delivery, calls } = setup([new Error('down')], { stopping: true });
    expect(await settler.settle(delivery, completed)).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it('an abandoned delivery settles nothing', async () => {
    const { settler, delivery, calls } = setup([]);
    delivery.abandoned = true;
    expect(await settler.settle(delivery, completed)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('release undoes the attempt of a job that never started and counts the release', async () => {
    const seen: DispatchSettlement[] = [];
    const stats = emptyWorkerStats();
    const store = { settle: async (_id: string, _owner: string, s: DispatchSettlement) => (seen.push(s), job) } as unknown as DispatchStore;
    const settler = new Settler({ store, held: new HeldClaims(stats, silentLogger), stats, clock: systemClock, logger: silentLogger, isStopping: () => false });
    await settler.release({ job, leaseOwner: 'w#a.1' }, { started: false });
    await settler.release({ job, leaseOwner: 'w#a.1' }, { started: true });
    expect(seen.map((s) => s.status === 'released' && s.undoAttempt)).toEqual([true, false]);
    expect(stats.released).toBe(2);
  });
});
