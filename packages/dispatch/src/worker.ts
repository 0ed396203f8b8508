import { leaseOwners } from './claim';
import { ClaimKeeper } from './claim-keeper';
import { Deliverer } from './delivery';
import { HeldClaims } from './held-claims';
import { Scheduler } from './scheduler';
import { Settler } from './settler';
import { onShutdownSignals } from './shutdown-signals';
import { workerSettings, type DispatchWorkerOptions } from './worker-options';
import { emptyWorkerStats, type DispatchWorkerStats } from './worker-stats';

export type { DispatchWorkerOptions, DeliveryRunOptions, RunExecutor } from './worker-options';
export type { DispatchWorkerStats } from './worker-stats';

export interface DispatchWorker {
  readonly workerId: string;
  start(): void;
  /** Stops claiming; in-flight deliveries get `graceMs` to finish, then they are released. */
  stop(options?: { graceMs?: number }): Promise<void>;
  readonly running: boolean;
  inFlight(): number;
  /** Prefetched jobs waiting for a slot. */
  buffered(): number;
  stats(): DispatchWorkerStats;
}

/**
 * A worker over `stores.dispatch`: the scheduler claims and launches jobs, the deliverer runs them
 * and the settler records their outcomes, the claim keeper heartbeats every claim held.
 */
export function createDispatchWorker(options: DispatchWorkerOptions): DispatchWorker {
  const settings = workerSettings(options);
  const { workerId, clock, logger } = settings;
  const store = options.stores.dispatch;
  const stats = emptyWorkerStats();
  const held = new HeldClaims(stats, logger);
  let stopping = false;
  const isStopping = () => stopping;
  const settler = new Settler({ store, held, stats, clock, logger, isStopping });
  const deliverer = new Deliverer({ ...settings, executeOptions: options.executeOptions, settler, stats });
  const scheduler = new Scheduler({ ...settings, store, held, deliverer, settler, stats, nextLeaseOwner: leaseOwners(workerId), isStopping });
  const keeper = new ClaimKeeper({ ...settings, store, held });
  let running = false;
  let loopDone: Promise<void> | null = null;
  let stopPromise: Promise<void> | null = null;
  let removeSignalHandlers = () => {};

  async function shutDown(graceMs: number): Promise<void> {
    stopping = true;
    scheduler.wake();
    await loopDone;
    await Promise.all(held.takeBuffered().map((claim) => settler.release(claim, { started: false })));
    await settledWithin([...held.deliveries].map((d) => d.done), graceMs);
    for (const delivery of [...held.deliveries]) {
      // A delivery that lost its claim has nothing to release (its job may be another's now).
      if (delivery.abandoned) continue;
      delivery.abandoned = true;
      delivery.controller.abort(new Error('worker shutting down'));
      await settler.release(delivery.claim, { started: true });
    }
    keeper.stop();
    removeSignalHandlers();
    running = false;
    logger.info({ stats }, 'dispatch worker stopped');
  }

  function stop(opts: { graceMs?: number } = {}): Promise<void> {
    stopPromise ??= shutDown(opts.graceMs ?? settings.shutdownGraceMs);
    return stopPromise;
  }

  return {
    workerId,
    start() {
      if (running) return;
      if (stopPromise) throw new Error('a stopped dispatch worker cannot be restarted; create a new one');
      running = true;
      keeper.start();
      removeSignalHandlers = onShutdownSignals(settings.signals, (signal) => void stop().then(() => options.onSignalStop?.(signal)), logger);
      loopDone = scheduler.run().catch((error: unknown) => logger.error({ err: error }, 'dispatch loop crashed'));
    },
    stop,
    get running() {
      return running;
    },
    inFlight: () => held.deliveries.size,
    buffered: () => held.buffered.length,
    stats: () => ({ ...stats }),
  };
}

/** Waits for `pending` to settle, or `ms`, whichever comes first. */
async function settledWithin(pending: Promise<void>[], ms: number): Promise<void> {
  if (pending.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
