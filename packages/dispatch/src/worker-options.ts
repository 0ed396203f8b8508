import { randomUUID } from 'node:crypto';
import { silentLogger, systemClock, type Clock, type DispatchJob, type Logger, type Stores } from '@integration/contracts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';

/** Options a delivery passes to executeRun (a structural subset of the control plane's). */
export interface DeliveryRunOptions {
  tenantId?: string;
  actorId?: string;
  environment?: string;
  traceId?: string;
  allowedOperations?: string[];
  aggregatorId?: string;
  aggregatorEpoch?: number;
  /** Set when the job was recovered from a dead worker's expired claim (its run may be `running`). */
  allowRunning?: boolean;
  [option: string]: unknown;
}

/** What a worker needs from the control plane (or the platform). */
export interface RunExecutor {
  executeRun(runId: string, options?: DeliveryRunOptions, call?: { signal?: AbortSignal }): Promise<unknown>;
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
   * query and claims happen in batches. Buffered claims are heartbeated like running ones: more of
   * them wait for lease expiry if the worker dies. Default 0.
   */
  prefetch?: number;
  /** A claim's lease; a worker that stops heartbeating loses its claims after this. Default 30 s. */
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

/** The options with every default applied. */
export interface WorkerSettings {
  executor: RunExecutor;
  workerId: string;
  concurrency: number;
  batchSize: number;
  prefetch: number;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  backoff: BackoffPolicy;
  random: () => number;
  clock: Clock;
  logger: Logger;
  shutdownGraceMs: number;
  signals: NodeJS.Signals[];
}

export function workerSettings(options: DispatchWorkerOptions): WorkerSettings {
  const executor = options.executor ?? options.platform;
  if (!executor || typeof executor.executeRun !== 'function') throw new TypeError('createDispatchWorker needs an executor with executeRun');
  const workerId = options.workerId ?? `worker_${randomUUID()}`;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const leaseMs = options.leaseMs ?? 30_000;
  return {
    executor,
    workerId,
    concurrency,
    batchSize: Math.max(1, Math.floor(options.batchSize ?? concurrency)),
    prefetch: Math.max(0, Math.floor(options.prefetch ?? 0)),
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3)),
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    random: options.random ?? Math.random,
    clock: options.clock ?? systemClock,
    logger: (options.logger ?? silentLogger).child({ component: 'dispatch-worker', workerId }),
    shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    signals: options.handleSignals === true ? ['SIGTERM', 'SIGINT'] : options.handleSignals || [],
  };
}
