import {
  ConflictError,
  isoAt,
  NotFoundError,
  systemClock,
  ValidationError,
  type Clock,
  type DispatchFilter,
  type DispatchJob,
  type DispatchStore,
  type JsonObject,
  type Run,
  type Stores,
  type StoreSet,
  type TriggerRecord,
} from '@integration/contracts';
import { DEFAULT_MAX_ATTEMPTS } from './backoff';
import { dispatchIdFor } from './dispatch-id';
import { publish } from './telemetry';

/** An admitted trigger and its run (what ingress returns). */
export interface AdmittedTrigger {
  trigger: TriggerRecord;
  run: Run;
}

export interface EnqueueOptions {
  maxAttempts?: number;
  /** Options passed to executeRun (actorId, environment, allowedOperations, sandbox, …). */
  executeOptions?: JsonObject;
  /** Earliest delivery time (ms); default now. */
  availableAt?: number;
}

export interface EnqueueResult {
  status: 'enqueued' | 'duplicate';
  job: DispatchJob;
}

export interface ReplayFilter {
  connectorId?: string;
  triggerId?: string;
  /** The `lastError.code` of the dead-lettered job. */
  errorCode?: string;
  /** Inclusive ISO bounds on when the job was dead-lettered (its `updatedAt`). */
  from?: string;
  to?: string;
  dispatchIds?: string[];
  limit?: number;
}

export interface DispatchQueueOptions {
  stores: Stores;
  clock?: Clock;
  maxAttempts?: number;
}

export interface DispatchQueue {
  /** The job an admission would enqueue (deterministic id from its run, see `dispatchIdFor`). */
  jobFor(admission: AdmittedTrigger, options?: EnqueueOptions): DispatchJob;
  enqueue(admission: AdmittedTrigger, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Enqueue inside an enclosing store transaction; call `announce` after it commits. */
  enqueueWithin(tx: StoreSet, admission: AdmittedTrigger, options?: EnqueueOptions): Promise<EnqueueResult>;
  announce(result: EnqueueResult): void;
  fetchJob(dispatchId: string): Promise<DispatchJob>;
  jobs(filter?: DispatchFilter): Promise<DispatchJob[]>;
  /** A dead-lettered job back to queued; attempts (and so ledger attempt numbers) continue. */
  replay(dispatchId: string): Promise<DispatchJob>;
  /** Bulk replay of dead-lettered jobs by connector, trigger, error code and time range. */
  replayMany(filter: ReplayFilter): Promise<DispatchJob[]>;
}

export function createDispatchQueue(options: DispatchQueueOptions): DispatchQueue {
  const { stores } = options;
  const clock = options.clock ?? systemClock;
  const defaultMaxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  function jobFor(admission: AdmittedTrigger, opts: EnqueueOptions = {}): DispatchJob {
    const { trigger, run } = admission;
    if (trigger.status !== 'accepted' || !trigger.runId || trigger.runId !== run.runId) {
      throw new ValidationError('invalid_trigger', `trigger ${trigger.admissionId} is not an accepted trigger of run ${run.runId}`);
    }
    const maxAttempts = opts.maxAttempts ?? defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new ValidationError('invalid_argument', 'maxAttempts must be a positive integer');
    const now = clock.now();
    const at = isoAt(now);
    return {
      dispatchId: dispatchIdFor(run),
      runId: run.runId,
      admissionId: trigger.admissionId,
      tenantId: trigger.tenantId,
      connectorId: trigger.connectorId,
      triggerId: trigger.triggerId,
      capabilityId: trigger.capabilityId,
      status: 'queued',
      attempts: 0,
      maxAttempts,
      availableAt: isoAt(opts.availableAt ?? now),
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      executeOptions: opts.executeOptions ?? {},
      completedAt: null,
      deadLetteredAt: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  const enqueueIn = (store: DispatchStore, admission: AdmittedTrigger, opts?: EnqueueOptions) => store.enqueue(jobFor(admission, opts));
  const announce = (result: EnqueueResult) => publish('enqueue', result.job, { enqueueStatus: result.status });

  return {
    jobFor,
    async enqueue(admission, opts) {
      const result = await enqueueIn(stores.dispatch, admission, opts);
      announce(result);
      return result;
    },
    enqueueWithin: (tx, admission, opts) => enqueueIn(tx.dispatch, admission, opts),
    announce,
    async fetchJob(dispatchId) {
      const job = await stores.dispatch.fetchJob(dispatchId);
      if (!job) throw new NotFoundError('unknown_dispatch', `no dispatch ${dispatchId}`);
      return job;
    },
    jobs: (filter) => stores.dispatch.listJobs(filter),
    async replay(dispatchId) {
      const job = await stores.dispatch.fetchJob(dispatchId);
      if (!job) throw new NotFoundError('unknown_dispatch', `no dispatch ${dispatchId}`);
      if (job.status !== 'dead_lettered') {
        throw new ConflictError('invalid_dispatch_state', `dispatch ${dispatchId} is ${job.status}; only dead-lettered jobs replay`, {
          details: { dispatchId, status: job.status },
        });
      }
      const [replayed] = await stores.dispatch.replay({ dispatchIds: [dispatchId] }, clock.now());
      if (!replayed) throw new ConflictError('invalid_dispatch_state', `dispatch ${dispatchId} changed state during replay`);
      publish('replay', replayed);
      return replayed;
    },
    async replayMany(filter) {
      const replayed = await stores.dispatch.replay({ ...filter }, clock.now());
      for (const job of replayed) publish('replay', job, { bulk: true });
      return replayed;
    },
  };
}
