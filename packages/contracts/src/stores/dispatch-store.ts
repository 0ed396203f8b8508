import type { ClaimRequest, DispatchFilter, DispatchJob, DispatchSettlement } from '../records/dispatch-job';

/**
 * The durable dispatch queue. States `queued → running → completed | retry_scheduled → … |
 * dead_lettered`. Workers claim due jobs under a lease and heartbeat; an expired lease makes a
 * running job claimable again.
 *
 * The `leaseOwner` of claim, heartbeat and settle is an opaque string stored as `lockedBy` and
 * compared for equality: it is the fence. A dispatch worker uses a fresh one per claim call
 * (`<workerId>#…`), so a delivery whose claim's lease expired fails the fence even when the same
 * worker has claimed the job again since.
 */
export interface DispatchStore {
  /** Idempotent by dispatchId: an existing job is returned untouched with status `duplicate`. */
  enqueue(job: DispatchJob): Promise<{ status: 'enqueued' | 'duplicate'; job: DispatchJob }>;
  fetchJob(dispatchId: string): Promise<DispatchJob | null>;
  /** Ordered by createdAt, then dispatchId. */
  listJobs(filter?: DispatchFilter): Promise<DispatchJob[]>;
  /**
   * Claims up to `limit` due jobs (queued/retry_scheduled with availableAt ≤ now, or running with an
   * expired lease), oldest availableAt first. Each becomes running, attempts + 1, locked by the
   * request's lease owner (`lockedBy`); a job taken over from an expired lease records the previous
   * owner in `lastError.details.previousLeaseOwner`. Two concurrent claimers never receive the same job.
   */
  claim(request: ClaimRequest): Promise<DispatchJob[]>;
  /** Extends the lease of the jobs still running under this lease owner; returns their ids. */
  heartbeat(dispatchIds: string[], leaseOwner: string, lockedUntil: string): Promise<string[]>;
  /** Records the outcome of a delivery; `lock_lost` unless the job is still running under this lease owner. */
  settle(dispatchId: string, leaseOwner: string, settlement: DispatchSettlement): Promise<DispatchJob>;
  /** Dead-lettered jobs matching the filter go back to queued (attempts are kept). */
  replay(filter: DispatchFilter & { dispatchIds?: string[] }, now: number): Promise<DispatchJob[]>;
  /** Resolves when new work may be available (enqueue/replay/settle notify) or after `timeoutMs`. */
  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
