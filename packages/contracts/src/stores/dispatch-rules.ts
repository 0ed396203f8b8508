import { isoAt } from '../clock';
import type { ClaimRequest, DispatchFilter, DispatchJob, DispatchSettlement } from '../records/dispatch-job';

/** The dispatch state rules every tier shares, written once as pure functions over a job. */

export function isClaimable(job: DispatchJob, nowIso: string): boolean {
  if (job.status === 'queued' || job.status === 'retry_scheduled') return job.availableAt <= nowIso;
  return job.status === 'running' && job.lockedUntil !== null && job.lockedUntil < nowIso;
}

export function claimOrder(a: DispatchJob, b: DispatchJob): number {
  if (a.availableAt !== b.availableAt) return a.availableAt < b.availableAt ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.dispatchId < b.dispatchId ? -1 : 1;
}

export function claimed(job: DispatchJob, request: ClaimRequest): DispatchJob {
  const nowIso = isoAt(request.now);
  const recovered = job.status === 'running';
  return {
    ...job,
    status: 'running',
    attempts: job.attempts + 1,
    lockedBy: request.leaseOwner,
    lockedUntil: isoAt(request.now + request.leaseMs),
    lastError: recovered
      ? {
          stage: 'recovery',
          code: 'lock_lost',
          message: `the lease held by ${job.lockedBy ?? 'unknown'} expired before the job settled`,
          retryable: true,
          details: { previousLeaseOwner: job.lockedBy },
          recordedAt: nowIso,
        }
      : job.lastError,
    updatedAt: nowIso,
  };
}

export function settled(job: DispatchJob, settlement: DispatchSettlement): DispatchJob {
  const at = isoAt(settlement.at);
  const base = { ...job, lockedBy: null, lockedUntil: null, updatedAt: at };
  switch (settlement.status) {
    case 'completed':
      return { ...base, status: 'completed', completedAt: at, lastError: null };
    case 'retry_scheduled':
      return { ...base, status: 'retry_scheduled', availableAt: isoAt(settlement.availableAt), lastError: settlement.error };
    case 'dead_lettered':
      return { ...base, status: 'dead_lettered', deadLetteredAt: at, lastError: settlement.error };
    case 'released':
      return {
        ...base,
        status: 'queued',
        availableAt: isoAt(settlement.availableAt),
        attempts: settlement.undoAttempt ? Math.max(0, job.attempts - 1) : job.attempts,
      };
  }
}

export function replayed(job: DispatchJob, now: number): DispatchJob {
  const at = isoAt(now);
  return { ...job, status: 'queued', availableAt: at, lastError: null, deadLetteredAt: null, completedAt: null, updatedAt: at };
}

export function matchesDispatchFilter(job: DispatchJob, filter: DispatchFilter & { dispatchIds?: string[] }): boolean {
  const statuses = filter.status === undefined ? null : Array.isArray(filter.status) ? filter.status : [filter.status];
  return (
    (!statuses || statuses.includes(job.status)) &&
    (!filter.dispatchIds || filter.dispatchIds.includes(job.dispatchId)) &&
    (!filter.connectorId || job.connectorId === filter.connectorId) &&
    (!filter.triggerId || job.triggerId === filter.triggerId) &&
    (!filter.runId || job.runId === filter.runId) &&
    (!filter.errorCode || job.lastError?.code === filter.errorCode) &&
    (!filter.from || job.updatedAt >= filter.from) &&
    (!filter.to || job.updatedAt <= filter.to)
  );
}
