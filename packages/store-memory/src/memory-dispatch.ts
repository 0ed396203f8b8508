import {
  ConflictError,
  dispatchRules,
  isoAt,
  NotFoundError,
  type ClaimRequest,
  type DispatchFilter,
  type DispatchJob,
  type DispatchSettlement,
  type DispatchStore,
} from '@integration/contracts';
import { copy, journaledSet } from './journal';
import { MemoryAccess } from './state';

export class MemoryDispatchStore extends MemoryAccess implements DispatchStore {
  enqueue(job: DispatchJob): Promise<{ status: 'enqueued' | 'duplicate'; job: DispatchJob }> {
    return this.guard(() => {
      const existing = this.state.jobs.get(job.dispatchId);
      if (existing) return { status: 'duplicate' as const, job: copy(existing) };
      journaledSet(this.journal, this.state.jobs, job.dispatchId, copy(job));
      this.afterCommit(() => this.state.notifyWork());
      return { status: 'enqueued' as const, job: copy(job) };
    });
  }

  fetchJob(dispatchId: string): Promise<DispatchJob | null> {
    return this.guard(() => copy(this.state.jobs.get(dispatchId) ?? null));
  }

  listJobs(filter: DispatchFilter = {}): Promise<DispatchJob[]> {
    return this.guard(() => {
      const jobs = [...this.state.jobs.values()]
        .filter((j) => dispatchRules.matchesDispatchFilter(j, filter))
        .sort((a, b) => (a.createdAt === b.createdAt ? (a.dispatchId < b.dispatchId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
      return copy(filter.limit ? jobs.slice(0, filter.limit) : jobs);
    });
  }

  claim(request: ClaimRequest): Promise<DispatchJob[]> {
    return this.guard(() => {
      const nowIso = isoAt(request.now);
      const due = [...this.state.jobs.values()].filter((j) => dispatchRules.isClaimable(j, nowIso)).sort(dispatchRules.claimOrder).slice(0, request.limit);
      return copy(
        due.map((job) => {
          const next = dispatchRules.claimed(job, request);
          journaledSet(this.journal, this.state.jobs, job.dispatchId, next);
          return next;
        }),
      );
    });
  }

  heartbeat(dispatchIds: string[], leaseOwner: string, lockedUntil: string): Promise<string[]> {
    return this.guard(() => {
      const owned: string[] = [];
      for (const id of dispatchIds) {
        const job = this.state.jobs.get(id);
        if (job && job.status === 'running' && job.lockedBy === leaseOwner) {
          journaledSet(this.journal, this.state.jobs, id, { ...job, lockedUntil });
          owned.push(id);
        }
      }
      return owned;
    });
  }

  settle(dispatchId: string, leaseOwner: string, settlement: DispatchSettlement): Promise<DispatchJob> {
    return this.guard(() => {
      const job = this.state.jobs.get(dispatchId);
      if (!job) throw new NotFoundError('unknown_dispatch', `no dispatch ${dispatchId}`);
      if (job.status !== 'running' || job.lockedBy !== leaseOwner) {
        throw new ConflictError('lock_lost', `lease owner ${leaseOwner} no longer holds dispatch ${dispatchId}`, {
          details: { dispatchId, status: job.status, lockedBy: job.lockedBy },
        });
      }
      const next = dispatchRules.settled(job, settlement);
      journaledSet(this.journal, this.state.jobs, dispatchId, next);
      if (next.status === 'queued' || next.status === 'retry_scheduled') this.afterCommit(() => this.state.notifyWork());
      return copy(next);
    });
  }

  replay(filter: DispatchFilter & { dispatchIds?: string[] }, now: number): Promise<DispatchJob[]> {
    return this.guard(() => {
      const replayedJobs = [...this.state.jobs.values()]
        .filter((j) => j.status === 'dead_lettered' && dispatchRules.matchesDispatchFilter(j, { ...filter, status: 'dead_lettered' }))
        .sort(dispatchRules.claimOrder)
        .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
        .map((job) => {
          const next = dispatchRules.replayed(job, now);
          journaledSet(this.journal, this.state.jobs, job.dispatchId, next);
          return next;
        });
      if (replayedJobs.length > 0) this.afterCommit(() => this.state.notifyWork());
      return copy(replayedJobs);
    });
  }

  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.state.workWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.state.workWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
