import pRetry from 'p-retry';
import { isIntegrationError, type Clock, type DispatchJob, type DispatchSettlement, type DispatchStore, type Logger } from '@integration/contracts';
import type { Claim } from './claim';
import type { Delivery, HeldClaims } from './held-claims';
import type { DispatchWorkerStats } from './worker-stats';

/** A settle failing otherwise is tried 5 times in all, 100 ms, 200 ms, 400 ms, 800 ms apart. */
const SETTLE_RETRY = { retries: 4, factor: 2, minTimeout: 100, maxTimeout: 2_000 } as const;

export interface SettlerOptions {
  store: DispatchStore;
  held: HeldClaims;
  stats: DispatchWorkerStats;
  clock: Clock;
  logger: Logger;
  /** Once the worker is stopping, a failed settle is not retried. */
  isStopping: () => boolean;
}

/** Errors after which settling again cannot help. */
const isFinal = (error: unknown) => isIntegrationError(error) && (error.code === 'lock_lost' || error.code === 'unknown_dispatch');

/** Writes deliveries' outcomes and releases unfinished claims, fenced on each claim's lease owner. */
export class Settler {
  constructor(private readonly options: SettlerOptions) {}

  /**
   * Settles a delivery's outcome, retrying transient store failures; null when the outcome was
   * dropped (claim lost, job gone, or the store kept failing: the claim's lease then expires and
   * another delivery finds the run's ledger state).
   */
  async settle(delivery: Delivery, settlement: DispatchSettlement): Promise<DispatchJob | null> {
    const { store, held, logger, isStopping } = this.options;
    const { job, leaseOwner } = delivery.claim;
    try {
      // Settles finishing in one event-loop turn share a commit in the store itself (SQLite group
      // commit, Postgres statement batching), so each is issued on its own here.
      return await pRetry(async () => (delivery.abandoned ? null : store.settle(job.dispatchId, leaseOwner, settlement)), {
        ...SETTLE_RETRY,
        shouldRetry: ({ error }) => !isFinal(error) && !isStopping(),
      });
    } catch (error) {
      if (isIntegrationError(error) && error.code === 'lock_lost') {
        held.lose(delivery, 'settle fenced');
      } else if (isIntegrationError(error) && error.code === 'unknown_dispatch') {
        logger.warn({ dispatchId: job.dispatchId, code: error.code }, 'job no longer exists; outcome dropped');
      } else {
        logger.error({ dispatchId: job.dispatchId, err: error }, 'could not settle job; leaving it to lease expiry');
      }
      return null;
    }
  }

  /**
   * Gives a claimed job back to the queue at once. A job that never started (`started: false`)
   * has its attempt undone; one released mid-delivery keeps it. A failed release is left to the
   * claim's lease expiry.
   */
  async release({ job, leaseOwner }: Claim, { started }: { started: boolean }): Promise<void> {
    const { store, stats, clock, logger } = this.options;
    try {
      await store.settle(job.dispatchId, leaseOwner, { status: 'released', availableAt: clock.now(), at: clock.now(), undoAttempt: !started });
      stats.released += 1;
    } catch (error) {
      const what = started ? 'in-flight job' : 'job';
      logger.warn({ dispatchId: job.dispatchId, err: error }, `could not release ${what}; it returns at lease expiry`);
    }
  }
}
