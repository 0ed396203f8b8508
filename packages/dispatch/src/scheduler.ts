import type { Clock, DispatchJob, DispatchStore, Logger } from '@integration/contracts';
import type { Claim } from './claim';
import type { Deliverer } from './delivery';
import type { Delivery, HeldClaims } from './held-claims';
import type { Settler } from './settler';
import { sleep } from './sleep';
import type { DispatchWorkerStats } from './worker-stats';

export interface SchedulerOptions {
  store: DispatchStore;
  held: HeldClaims;
  deliverer: Deliverer;
  settler: Settler;
  stats: DispatchWorkerStats;
  /** Mints the lease owner of each claim call. */
  nextLeaseOwner: () => string;
  concurrency: number;
  batchSize: number;
  prefetch: number;
  leaseMs: number;
  pollIntervalMs: number;
  clock: Clock;
  logger: Logger;
  isStopping: () => boolean;
}

/**
 * Fills the worker's slots: claims due jobs in batches (or into the prefetch buffer), launches
 * them, and waits for work or a freed slot between claims. `run()` returns once the worker is
 * stopping; `wake()` cuts a wait short.
 */
export class Scheduler {
  /** Deliveries whose executeRun has not returned yet (the slots in use). */
  private executing = 0;
  private wakeWaiter: (() => void) | null = null;
  /** Set when a slot frees (or stop is asked) while the loop is not waiting, so the wake is not lost. */
  private wakePending = false;
  private readonly lowWater: number;

  constructor(private readonly options: SchedulerOptions) {
    this.lowWater = Math.ceil(options.prefetch / 2);
  }

  wake(): void {
    if (this.wakeWaiter) this.wakeWaiter();
    else this.wakePending = true;
  }

  async run(): Promise<void> {
    const { store, held, stats, nextLeaseOwner, concurrency, leaseMs, pollIntervalMs, clock, logger, isStopping } = this.options;
    while (!isStopping()) {
      this.wakePending = false;
      const wanted = this.wanted();
      let claimed: DispatchJob[] = [];
      if (wanted > 0) {
        const leaseOwner = nextLeaseOwner();
        try {
          claimed = await store.claim({ leaseOwner, limit: wanted, leaseMs, now: clock.now() });
        } catch (error) {
          logger.warn({ err: error }, 'claim failed; backing off');
          await sleep(pollIntervalMs);
          continue;
        }
        for (const job of claimed) held.supersede(job.dispatchId);
        if (isStopping()) {
          // Stop raced the claim: give the jobs straight back.
          await Promise.all(claimed.map((job) => this.options.settler.release({ job, leaseOwner }, { started: false })));
          break;
        }
        stats.claimed += claimed.length;
        for (const job of claimed) {
          if (this.executing < concurrency) this.launch({ job, leaseOwner });
          else held.buffered.push({ job, leaseOwner });
        }
      }
      if (wanted === 0 || claimed.length < wanted) await this.waitForWakeup(wanted > 0);
    }
  }

  /** Without prefetch: claim for every free slot. With it: refill once the buffer runs low. */
  private wanted(): number {
    const { concurrency, prefetch, batchSize, held } = this.options;
    const buffered = held.buffered.length;
    if (prefetch === 0) {
      const free = concurrency - this.executing;
      return free > 0 ? Math.min(batchSize, free) : 0;
    }
    return buffered <= this.lowWater ? Math.min(batchSize, concurrency + prefetch - this.executing - buffered) : 0;
  }

  private launch(claim: Claim): void {
    const { held, deliverer, logger, isStopping } = this.options;
    const delivery: Delivery = { claim, controller: new AbortController(), abandoned: false, executed: false, done: Promise.resolve() };
    held.deliveries.add(delivery);
    this.executing += 1;
    let slotFreed = false;
    const freeSlot = () => {
      if (slotFreed) return;
      slotFreed = true;
      this.executing -= 1;
      const next = isStopping() ? undefined : held.buffered.shift();
      if (next) this.launch(next);
      // A free slot is refilled at once (completions that land while a claim runs coalesce into the next one).
      this.wake();
    };
    delivery.done = deliverer
      .deliver(delivery, freeSlot)
      .catch((error: unknown) => logger.error({ dispatchId: claim.job.dispatchId, err: error }, 'delivery crashed'))
      .finally(() => {
        held.deliveries.delete(delivery);
        freeSlot();
      });
  }

  /** Until a wake, new work in the store (when there is room to claim it) or the poll interval. */
  private async waitForWakeup(canClaim: boolean): Promise<void> {
    if (this.wakePending || this.options.isStopping()) {
      this.wakePending = false;
      return;
    }
    const { store, pollIntervalMs } = this.options;
    const controller = new AbortController();
    this.wakeWaiter = () => controller.abort();
    try {
      await (canClaim ? store.waitForWork(pollIntervalMs, controller.signal) : sleep(pollIntervalMs, controller.signal));
    } finally {
      this.wakeWaiter = null;
      controller.abort();
    }
  }
}
