import { randomUUID } from 'node:crypto';
import {
  isIntegrationError,
  isoAt,
  silentLogger,
  systemClock,
  type Clock,
  type DispatchJob,
  type DispatchSettlement,
  type Logger,
  type Stores,
} from '@integration/contracts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { classifyFailure, type Outcome } from './classify';
import { leaseOwners, type Lease } from './lease-owner';
import { publish } from './telemetry';

/** Options a delivery passes to executeRun (a structural subset of the control plane's). */
export interface ExecuteRunOptions {
  tenantId?: string;
  actorId?: string;
  environment?: string;
  traceId?: string;
  allowedOperations?: string[];
  aggregatorId?: string;
  aggregatorEpoch?: number;
  /** Set when the job was recovered from a dead worker's expired lease (its run may be `running`). */
  allowRunning?: boolean;
  [option: string]: unknown;
}

/** What a worker needs from the control plane (or the platform). */
export interface RunExecutor {
  executeRun(runId: string, options?: ExecuteRunOptions, call?: { signal?: AbortSignal }): Promise<unknown>;
}

export interface DispatchWorkerOptions {
  stores: Stores;
  /** The control plane or platform; `executor` and `platform` are the same seam. */
  executor?: RunExecutor;
  platform?: RunExecutor;
  /**
   * Readable worker name (default `worker_<uuid>`). It prefixes the lease owners the worker claims
   * under (`<workerId>#…`, fresh per claim), which are what stores fence heartbeats and settles on.
   */
  workerId?: string;
  /** Runs executing at once (a slot frees when executeRun returns; its outcome settles meanwhile). Default 4. */
  concurrency?: number;
  /** Jobs claimed per query. Default = concurrency. */
  batchSize?: number;
  /**
   * Extra jobs claimed ahead into a local buffer, so a freed slot starts its next job without a
   * query and claims happen in batches. Buffered jobs are leased (and heartbeated) like running
   * ones: more of them wait for lease expiry if the worker dies. Default 0.
   */
  prefetch?: number;
  /** Claim lease; a worker that stops heartbeating loses its jobs after this. Default 30 s. */
  leaseMs?: number;
  /** Lease renewal period. Default leaseMs / 3. */
  heartbeatMs?: number;
  /** Longest idle wait between claims when no notification arrives. Default 1 s. */
  pollIntervalMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Uniform [0,1) source for jitter (inject for deterministic tests). */
  random?: () => number;
  clock?: Clock;
  logger?: Logger;
  /** How long stop() lets in-flight deliveries finish before releasing them. Default 10 s. */
  shutdownGraceMs?: number;
  /** Stop gracefully on these signals (true = SIGTERM and SIGINT). Default: none. */
  handleSignals?: boolean | NodeJS.Signals[];
  /** Called after a signal-initiated stop completes (e.g. close stores and exit). */
  onSignalStop?: (signal: NodeJS.Signals) => void | Promise<void>;
  /** Extra executeRun options per job (merged over the job's stored executeOptions). */
  executeOptions?: (job: DispatchJob) => Record<string, unknown>;
}

export interface DispatchWorkerStats {
  claimed: number;
  completed: number;
  recovered: number;
  retried: number;
  deadLettered: number;
  released: number;
  lostLeases: number;
}

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

interface InFlight {
  lease: Lease;
  controller: AbortController;
  /** Set when the lease was lost or the job was released: its outcome must not be settled. */
  abandoned: boolean;
  /** executeRun has returned; the outcome is being settled (the settle's fence decides ownership). */
  executed: boolean;
  done: Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export function createDispatchWorker(options: DispatchWorkerOptions): DispatchWorker {
  const executor = options.executor ?? options.platform;
  if (!executor || typeof executor.executeRun !== 'function') throw new TypeError('createDispatchWorker needs an executor with executeRun');
  const store = options.stores.dispatch;
  const workerId = options.workerId ?? `worker_${randomUUID()}`;
  const nextLeaseOwner = leaseOwners(workerId);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? concurrency));
  const prefetch = Math.max(0, Math.floor(options.prefetch ?? 0));
  const lowWater = Math.ceil(prefetch / 2);
  /** Claimed, not yet started (prefetch). */
  const buffer: Lease[] = [];
  const leaseMs = options.leaseMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3));
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ component: 'dispatch-worker', workerId });
  const graceDefault = options.shutdownGraceMs ?? 10_000;

  /** Deliveries not finished yet; a stale one (lease lost) may share its job with a newer one. */
  const inflight = new Set<InFlight>();
  /** Deliveries whose executeRun has not returned yet (the slots in use). */
  let executing = 0;
  const stats: DispatchWorkerStats = { claimed: 0, completed: 0, recovered: 0, retried: 0, deadLettered: 0, released: 0, lostLeases: 0 };
  let running = false;
  let stopping = false;
  let loopDone: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  /** Set when a slot frees (or stop is asked) while the loop is not waiting, so the wake is not lost. */
  let wakePending = false;
  const signalWake = () => {
    if (wake) wake();
    else wakePending = true;
  };
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let stopPromise: Promise<void> | null = null;
  const signalHandlers = new Map<NodeJS.Signals, () => void>();

  /** The delivery no longer owns its job: abort it and drop its outcome. Idempotent. */
  function leaseLost(entry: InFlight, reason: string): void {
    if (entry.abandoned) return;
    entry.abandoned = true;
    stats.lostLeases += 1;
    entry.controller.abort(new Error('dispatch lease lost'));
    logger.warn({ dispatchId: entry.lease.job.dispatchId, leaseOwner: entry.lease.owner, reason }, 'lease lost; delivery abandoned');
  }

  /**
   * The store no longer grants a delivery's lease. One still executing is stopped at once; one
   * already settling is left to its settle, whose fence tells a lost lease from a job it has just
   * settled itself (and counts the loss).
   */
  function ownershipRefused(entry: InFlight, reason: string): void {
    if (!entry.executed) leaseLost(entry, reason);
  }

  /** A lease the store no longer grants, wherever its job is now: still buffered, or launched since. */
  function claimRefused(lease: Lease, reason: string): void {
    const at = buffer.indexOf(lease);
    if (at >= 0) {
      buffer.splice(at, 1);
      stats.lostLeases += 1;
      return;
    }
    for (const entry of inflight) if (entry.lease === lease) ownershipRefused(entry, reason);
  }

  /**
   * A claim returned a job this worker still holds under an older lease owner: the store hands out
   * only due jobs, so that lease expired (or was settled), and the older delivery or buffered copy
   * must not run on or settle.
   */
  function supersede(dispatchId: string): void {
    for (const entry of inflight) if (entry.lease.job.dispatchId === dispatchId) ownershipRefused(entry, 'claimed again');
    for (const lease of buffer.filter((l) => l.job.dispatchId === dispatchId)) claimRefused(lease, 'claimed again');
  }

  async function settle(entry: InFlight, settlement: DispatchSettlement): Promise<DispatchJob | null> {
    for (let tries = 0; ; tries += 1) {
      if (entry.abandoned) return null;
      const { job, owner } = entry.lease;
      try {
        // Settles finishing in one event-loop turn share a commit in the store itself (SQLite group
        // commit, Postgres statement batching), so each is issued on its own here.
        return await store.settle(job.dispatchId, owner, settlement);
      } catch (error) {
        if (isIntegrationError(error) && error.code === 'lock_lost') {
          leaseLost(entry, 'settle fenced');
          return null;
        }
        if (isIntegrationError(error) && error.code === 'unknown_dispatch') {
          logger.warn({ dispatchId: job.dispatchId, code: error.code }, 'job no longer exists; outcome dropped');
          return null;
        }
        if (tries >= 4 || stopping) {
          // The lease will expire and another delivery will find the run's ledger state.
          logger.error({ dispatchId: job.dispatchId, err: error }, 'could not settle job; leaving it to lease expiry');
          return null;
        }
        await sleep(Math.min(2_000, 100 * 2 ** tries));
      }
    }
  }

  /** Runs the job, frees its slot (`executed`) and settles the outcome. */
  async function deliver(entry: InFlight, executed: () => void): Promise<void> {
    const { job } = entry.lease;
    let outcome: Outcome;
    try {
      const recovered = job.lastError?.stage === 'recovery';
      await executor!.executeRun(
        job.runId,
        { ...job.executeOptions, tenantId: job.tenantId, ...(recovered ? { allowRunning: true } : {}), ...options.executeOptions?.(job) },
        { signal: entry.controller.signal },
      );
      outcome = { kind: 'completed', recovered: false };
    } catch (error) {
      outcome = classifyFailure(error, job.attempts, job.maxAttempts, clock.now());
    }
    // The slot is free once executeRun returns: the next job starts while this outcome is settled
    // (the job stays leased and heartbeated until then, and stop() still waits for it).
    entry.executed = true;
    executed();
    const now = clock.now();
    if (outcome.kind === 'completed') {
      const settled = await settle(entry, { status: 'completed', at: now });
      if (settled) {
        stats.completed += 1;
        if (outcome.recovered) stats.recovered += 1;
        publish('deliver', settled, { attempt: job.attempts, recovered: outcome.recovered });
      }
    } else if (outcome.kind === 'retry') {
      const backoffMs = backoffDelay(job.attempts, policy, random, outcome.retryAfterMs);
      const settled = await settle(entry, { status: 'retry_scheduled', availableAt: now + backoffMs, error: outcome.error, at: now });
      if (settled) {
        stats.retried += 1;
        publish('retry', settled, { attempt: job.attempts, backoffMs });
      }
    } else {
      const settled = await settle(entry, { status: 'dead_lettered', error: outcome.error, at: now });
      if (settled) {
        stats.deadLettered += 1;
        publish('dead_letter', settled, { attempts: job.attempts });
        logger.warn({ dispatchId: job.dispatchId, code: outcome.error.code, attempts: job.attempts }, 'job dead-lettered');
      }
    }
  }

  function launch(lease: Lease): void {
    const entry: InFlight = { lease, controller: new AbortController(), abandoned: false, executed: false, done: Promise.resolve() };
    inflight.add(entry);
    executing += 1;
    let slotFreed = false;
    const freeSlot = () => {
      if (slotFreed) return;
      slotFreed = true;
      executing -= 1;
      const next = stopping ? undefined : buffer.shift();
      if (next) launch(next);
      // A free slot is refilled at once (completions that land while a claim runs coalesce into the next one).
      signalWake();
    };
    entry.done = deliver(entry, freeSlot)
      .catch((error: unknown) => logger.error({ dispatchId: lease.job.dispatchId, err: error }, 'delivery crashed'))
      .finally(() => {
        inflight.delete(entry);
        freeSlot();
      });
  }

  async function waitForWakeup(canClaim: boolean): Promise<void> {
    if (wakePending || stopping) {
      wakePending = false;
      return;
    }
    const controller = new AbortController();
    wake = () => controller.abort();
    try {
      await (canClaim ? store.waitForWork(pollIntervalMs, controller.signal) : sleep(pollIntervalMs, controller.signal));
    } finally {
      wake = null;
      controller.abort();
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      wakePending = false;
      const free = concurrency - executing;
      const room = concurrency + prefetch - executing - buffer.length;
      // Without prefetch: claim for every free slot. With it: refill once the buffer runs low.
      const wanted = prefetch === 0 ? (free > 0 ? Math.min(batchSize, free) : 0) : buffer.length <= lowWater ? Math.min(batchSize, room) : 0;
      let claimed: DispatchJob[] = [];
      if (wanted > 0) {
        const owner = nextLeaseOwner();
        try {
          claimed = await store.claim({ workerId: owner, limit: wanted, leaseMs, now: clock.now() });
        } catch (error) {
          logger.warn({ err: error }, 'claim failed; backing off');
          await sleep(pollIntervalMs);
          continue;
        }
        for (const job of claimed) supersede(job.dispatchId);
        if (stopping) {
          // Stop raced the claim: give the jobs straight back.
          await Promise.all(claimed.map((job) => releaseUnstarted({ job, owner })));
          break;
        }
        stats.claimed += claimed.length;
        for (const job of claimed) {
          if (executing < concurrency) launch({ job, owner });
          else buffer.push({ job, owner });
        }
      }
      if (wanted === 0 || claimed.length < wanted) {
        await waitForWakeup(wanted === 0 ? false : true);
      }
    }
  }

  async function releaseUnstarted({ job, owner }: Lease): Promise<void> {
    try {
      await store.settle(job.dispatchId, owner, { status: 'released', availableAt: clock.now(), at: clock.now(), undoAttempt: true });
      stats.released += 1;
    } catch (error) {
      logger.warn({ dispatchId: job.dispatchId, err: error }, 'could not release job; it returns at lease expiry');
    }
  }

  /** Renews the leases claimed under one owner; a lease the store no longer grants is lost. */
  async function renew(owner: string, leases: Lease[], delivering: InFlight[]): Promise<void> {
    const ids = [...leases, ...delivering.map((e) => e.lease)].map((l) => l.job.dispatchId);
    let owned: Set<string>;
    try {
      owned = new Set(await store.heartbeat(ids, owner, isoAt(clock.now() + leaseMs)));
    } catch (error) {
      logger.warn({ err: error, leaseOwner: owner }, 'heartbeat failed');
      return;
    }
    for (const lease of leases) if (!owned.has(lease.job.dispatchId)) claimRefused(lease, 'heartbeat refused');
    for (const entry of delivering) if (!owned.has(entry.lease.job.dispatchId)) ownershipRefused(entry, 'heartbeat refused');
  }

  /** One heartbeat per lease owner: each claim's jobs are fenced on the owner they were claimed with. */
  async function heartbeat(): Promise<void> {
    const groups = new Map<string, { leases: Lease[]; delivering: InFlight[] }>();
    const group = (owner: string) => groups.get(owner) ?? groups.set(owner, { leases: [], delivering: [] }).get(owner)!;
    for (const lease of buffer) group(lease.owner).leases.push(lease);
    for (const entry of inflight) if (!entry.abandoned) group(entry.lease.owner).delivering.push(entry);
    await Promise.all([...groups].map(([owner, { leases, delivering }]) => renew(owner, leases, delivering)));
  }

  async function stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (stopPromise) return stopPromise;
    stopPromise = (async () => {
      stopping = true;
      signalWake();
      await loopDone;
      await Promise.all(buffer.splice(0, buffer.length).map((job) => releaseUnstarted(job)));
      const graceMs = opts.graceMs ?? graceDefault;
      const pending = [...inflight].map((e) => e.done);
      if (pending.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(pending), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
      }
      for (const entry of [...inflight]) {
        // A delivery that lost its lease has nothing to release (its job may be another's now).
        if (entry.abandoned) continue;
        entry.abandoned = true;
        entry.controller.abort(new Error('worker shutting down'));
        const { job, owner } = entry.lease;
        try {
          await store.settle(job.dispatchId, owner, { status: 'released', availableAt: clock.now(), at: clock.now(), undoAttempt: false });
          stats.released += 1;
        } catch (error) {
          logger.warn({ dispatchId: job.dispatchId, err: error }, 'could not release in-flight job; it returns at lease expiry');
        }
      }
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      heartbeatTimer = null;
      for (const [signal, handler] of signalHandlers) process.off(signal, handler);
      signalHandlers.clear();
      running = false;
      logger.info({ stats }, 'dispatch worker stopped');
    })();
    return stopPromise;
  }

  return {
    workerId,
    start() {
      if (running) return;
      if (stopPromise) throw new Error('a stopped dispatch worker cannot be restarted; create a new one');
      running = true;
      heartbeatTimer = setInterval(() => void heartbeat(), heartbeatMs);
      heartbeatTimer.unref();
      const signals = options.handleSignals === true ? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[]) : options.handleSignals || [];
      for (const signal of signals) {
        const handler = () => {
          logger.info({ signal }, 'signal received; stopping dispatch worker');
          void stop().then(() => options.onSignalStop?.(signal));
        };
        signalHandlers.set(signal, handler);
        process.once(signal, handler);
      }
      loopDone = loop().catch((error: unknown) => logger.error({ err: error }, 'dispatch loop crashed'));
    },
    stop,
    get running() {
      return running;
    },
    inFlight: () => inflight.size,
    buffered: () => buffer.length,
    stats: () => ({ ...stats }),
  };
}
