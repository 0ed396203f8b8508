import {
  ConflictError,
  NotFoundError,
  dispatchRules,
  isoAt,
  type ClaimRequest,
  type DispatchFilter,
  type DispatchJob,
  type DispatchSettlement,
  type DispatchStore,
} from '@integration/contracts';
import { SqliteAccess, json, parseRecord, parseRecords, type CommitEffects } from './sqlite-access';
import type { SqliteHandle } from './sqlite-handle';

/** Open transactions (by their commit-effects list) that have already bumped the work signal. */
const signalledTransactions = new WeakSet<object>();

const byCreated = (a: DispatchJob, b: DispatchJob) =>
  a.createdAt === b.createdAt ? (a.dispatchId < b.dispatchId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

export class SqliteDispatchStore extends SqliteAccess implements DispatchStore {
  constructor(
    h: SqliteHandle,
    effects: CommitEffects,
    private readonly pollIntervalMs: number,
  ) {
    super(h, effects);
  }

  /**
   * Insert-first (a taken dispatch id is read back as the duplicate). Inside a transaction the
   * insert and the work-signal bump need no savepoint of their own: the bump is the last write, and
   * a failure of either fails the caller's transaction.
   */
  enqueue(job: DispatchJob): Promise<{ status: 'enqueued' | 'duplicate'; job: DispatchJob }> {
    const step = () => {
      const text = json(job);
      const inserted = this.h
        .stmt(
          `INSERT INTO dispatch_jobs (dispatch_id, status, available_at, locked_until, created_at, run_id, connector_id, trigger_id, record)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dispatch_id) DO NOTHING`,
        )
        .run(job.dispatchId, job.status, job.availableAt, job.lockedUntil ?? null, job.createdAt, job.runId, job.connectorId, job.triggerId, text);
      if (inserted.changes === 0) return { status: 'duplicate' as const, job: this.read(job.dispatchId)! };
      this.signalWork();
      return { status: 'enqueued' as const, job: JSON.parse(text) as DispatchJob };
    };
    return this.write(() => (this.inTransaction ? step() : this.h.atomic(step)));
  }

  fetchJob(dispatchId: string): Promise<DispatchJob | null> {
    return this.op(() => this.read(dispatchId));
  }

  listJobs(filter: DispatchFilter = {}): Promise<DispatchJob[]> {
    return this.op(() => {
      // SQL narrows by the indexed columns; the shared predicate decides (errorCode, from/to, …).
      const where: string[] = [];
      const params: unknown[] = [];
      const statuses = filter.status === undefined ? null : Array.isArray(filter.status) ? filter.status : [filter.status];
      if (statuses) {
        where.push(`status IN (${statuses.map(() => '?').join(', ') || 'NULL'})`);
        params.push(...statuses);
      }
      for (const [column, value] of [
        ['connector_id', filter.connectorId],
        ['trigger_id', filter.triggerId],
        ['run_id', filter.runId],
      ] as const) {
        if (value) {
          where.push(`${column} = ?`);
          params.push(value);
        }
      }
      const sql = `SELECT record FROM dispatch_jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, dispatch_id`;
      const jobs = parseRecords<DispatchJob>(this.h.stmt(sql).all(...params))
        .filter((j) => dispatchRules.matchesDispatchFilter(j, filter))
        .sort(byCreated);
      return filter.limit ? jobs.slice(0, filter.limit) : jobs;
    });
  }

  /** One IMMEDIATE transaction: select due jobs in claim order, mark them running. */
  claim(request: ClaimRequest): Promise<DispatchJob[]> {
    return this.write(() =>
      this.h.atomic(() => {
        const nowIso = isoAt(request.now);
        const candidates = parseRecords<DispatchJob>(
          this.h
            .stmt(
              `SELECT record FROM dispatch_jobs
               WHERE (status IN ('queued', 'retry_scheduled') AND available_at <= ?)
                  OR (status = 'running' AND locked_until IS NOT NULL AND locked_until < ?)
               ORDER BY available_at, created_at, dispatch_id`,
            )
            .all(nowIso, nowIso),
        );
        const due = candidates.filter((j) => dispatchRules.isClaimable(j, nowIso)).sort(dispatchRules.claimOrder).slice(0, request.limit);
        return due.map((job) => {
          const next = dispatchRules.claimed(job, request);
          this.saveJob(next);
          return next;
        });
      }),
    );
  }

  heartbeat(dispatchIds: string[], leaseOwner: string, lockedUntil: string): Promise<string[]> {
    return this.write(() =>
      this.h.atomic(() => {
        const owned: string[] = [];
        for (const id of dispatchIds) {
          const job = this.read(id);
          if (job && job.status === 'running' && job.lockedBy === leaseOwner) {
            this.saveJob({ ...job, lockedUntil });
            owned.push(id);
          }
        }
        return owned;
      }),
    );
  }

  settle(dispatchId: string, leaseOwner: string, settlement: DispatchSettlement): Promise<DispatchJob> {
    return this.write(() =>
      this.h.atomic(() => {
        const job = this.read(dispatchId);
        if (!job) throw new NotFoundError('unknown_dispatch', `no dispatch ${dispatchId}`);
        if (job.status !== 'running' || job.lockedBy !== leaseOwner) {
          throw new ConflictError('lock_lost', `lease owner ${leaseOwner} no longer holds dispatch ${dispatchId}`, {
            details: { dispatchId, status: job.status, lockedBy: job.lockedBy },
          });
        }
        const next = dispatchRules.settled(job, settlement);
        this.saveJob(next);
        if (next.status === 'queued' || next.status === 'retry_scheduled') this.signalWork();
        return JSON.parse(json(next)) as DispatchJob;
      }),
    );
  }

  replay(filter: DispatchFilter & { dispatchIds?: string[] }, now: number): Promise<DispatchJob[]> {
    return this.write(() =>
      this.h.atomic(() => {
        const replayedJobs = parseRecords<DispatchJob>(this.h.stmt(`SELECT record FROM dispatch_jobs WHERE status = 'dead_lettered'`).all())
          .filter((j) => j.status === 'dead_lettered' && dispatchRules.matchesDispatchFilter(j, { ...filter, status: 'dead_lettered' }))
          .sort(dispatchRules.claimOrder)
          .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
          .map((job) => {
            const next = dispatchRules.replayed(job, now);
            this.saveJob(next);
            return next;
          });
        if (replayedJobs.length > 0) this.signalWork();
        return JSON.parse(json(replayedJobs)) as DispatchJob[];
      }),
    );
  }

  /**
   * Wakes on an in-process enqueue/replay/retry (after commit), on a work-signal bump by another
   * process (polled every `pollIntervalMs`), on abort, or after `timeoutMs`.
   */
  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || this.h.isClosed) return resolve();
      let seen: number | null = null;
      try {
        seen = this.h.workVersion();
      } catch {
        seen = null;
      }
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.h.workWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const poll = setInterval(() => {
        if (this.h.isClosed) return done();
        if (!this.inTransaction && this.h.mutex.isLocked()) return;
        try {
          const version = this.h.workVersion();
          if (seen !== null && version !== seen) done();
          seen = version;
        } catch {
          // A busy or failing database only delays the wake-up until the timeout.
        }
      }, this.pollIntervalMs);
      this.h.workWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Bumps the cross-process work signal and wakes local waiters after commit; once per transaction
   * (a group commit of 64 admissions enqueues 64 jobs but needs one bump). Always the last write of
   * its step, so the bump is not lost to a rolled-back savepoint.
   */
  private signalWork(): void {
    if (this.effects) {
      if (signalledTransactions.has(this.effects)) return;
      signalledTransactions.add(this.effects);
    }
    this.h.signalWork();
    this.afterCommit(() => this.h.notifyWork());
  }

  private read(dispatchId: string): DispatchJob | null {
    return parseRecord<DispatchJob>(this.h.stmt('SELECT record FROM dispatch_jobs WHERE dispatch_id = ?').get(dispatchId) as { record: string } | undefined);
  }

  private saveJob(job: DispatchJob): void {
    this.h
      .stmt('UPDATE dispatch_jobs SET status = ?, available_at = ?, locked_until = ?, record = ? WHERE dispatch_id = ?')
      .run(job.status, job.availableAt, job.lockedUntil ?? null, json(job), job.dispatchId);
  }
}
