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
import type { Executor } from './executor';
import { PgAccess, first, json, plain, records } from './pg-context';

const byCreated = (a: DispatchJob, b: DispatchJob) =>
  a.createdAt === b.createdAt ? (a.dispatchId < b.dispatchId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

export class PgDispatchStore extends PgAccess implements DispatchStore {
  async enqueue(job: DispatchJob): Promise<{ status: 'enqueued' | 'duplicate'; job: DispatchJob }> {
    const result = await this.q.atomic(async (q) => {
      const inserted = await q.query(
        `INSERT INTO ${this.t('dispatch_jobs')} (dispatch_id, status, available_at, locked_until, created_at, run_id, connector_id, trigger_id, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json) ON CONFLICT (dispatch_id) DO NOTHING`,
        [job.dispatchId, job.status, job.availableAt, job.lockedUntil ?? null, job.createdAt, job.runId, job.connectorId, job.triggerId, json(job)],
      );
      if (!inserted.rowCount) {
        const existing = await this.read(q, job.dispatchId, false);
        return { status: 'duplicate' as const, job: existing! };
      }
      await this.notify(q);
      return { status: 'enqueued' as const, job: plain(job) };
    });
    return this.wakeLocal(result, result.status === 'enqueued');
  }

  async fetchJob(dispatchId: string): Promise<DispatchJob | null> {
    return this.read(this.q, dispatchId, false);
  }

  async listJobs(filter: DispatchFilter = {}): Promise<DispatchJob[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const statuses = filter.status === undefined ? null : Array.isArray(filter.status) ? filter.status : [filter.status];
    if (statuses) {
      params.push(statuses);
      where.push(`status = ANY($${params.length}::text[])`);
    }
    for (const [column, value] of [
      ['connector_id', filter.connectorId],
      ['trigger_id', filter.triggerId],
      ['run_id', filter.runId],
    ] as const) {
      if (value) {
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
    }
    const { rows } = await this.q.query<{ record: DispatchJob }>(
      `SELECT record FROM ${this.t('dispatch_jobs')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, dispatch_id`,
      params,
    );
    const jobs = records<DispatchJob>(rows)
      .filter((j) => dispatchRules.matchesDispatchFilter(j, filter))
      .sort(byCreated);
    return filter.limit ? jobs.slice(0, filter.limit) : jobs;
  }

  /**
   * One transaction: `SELECT … FOR UPDATE SKIP LOCKED` in claim order, then mark the rows running.
   * Concurrent claimers on any connection skip each other's rows, so no job is handed out twice.
   */
  async claim(request: ClaimRequest): Promise<DispatchJob[]> {
    if (request.limit <= 0) return [];
    return this.q.atomic(async (q) => {
      const nowIso = isoAt(request.now);
      const { rows } = await q.query<{ record: DispatchJob }>(
        `SELECT record FROM ${this.t('dispatch_jobs')}
         WHERE (status IN ('queued', 'retry_scheduled') AND available_at <= $1)
            OR (status = 'running' AND locked_until IS NOT NULL AND locked_until < $1)
         ORDER BY available_at, created_at, dispatch_id
         LIMIT $2
         FOR UPDATE SKIP LOCKED`,
        [nowIso, request.limit],
      );
      const due = records<DispatchJob>(rows)
        .filter((j) => dispatchRules.isClaimable(j, nowIso))
        .sort(dispatchRules.claimOrder)
        .slice(0, request.limit);
      const next = due.map((job) => dispatchRules.claimed(job, request));
      await this.writeMany(q, next);
      return next;
    });
  }

  async heartbeat(dispatchIds: string[], workerId: string, lockedUntil: string): Promise<string[]> {
    if (dispatchIds.length === 0) return [];
    return this.q.atomic(async (q) => {
      const { rows } = await q.query<{ record: DispatchJob }>(
        `SELECT record FROM ${this.t('dispatch_jobs')} WHERE dispatch_id = ANY($1::text[]) ORDER BY dispatch_id FOR UPDATE`,
        [dispatchIds],
      );
      const byId = new Map(records<DispatchJob>(rows).map((j) => [j.dispatchId, j]));
      const owned: string[] = [];
      const updated: DispatchJob[] = [];
      for (const id of dispatchIds) {
        const job = byId.get(id);
        if (job && job.status === 'running' && job.lockedBy === workerId) {
          const next = { ...job, lockedUntil };
          byId.set(id, next);
          updated.push(next);
          owned.push(id);
        }
      }
      await this.writeMany(q, [...new Map(updated.map((j) => [j.dispatchId, j])).values()]);
      return owned;
    });
  }

  async settle(dispatchId: string, workerId: string, settlement: DispatchSettlement): Promise<DispatchJob> {
    const next = await this.q.atomic(async (q) => {
      const job = await this.read(q, dispatchId, true);
      if (!job) throw new NotFoundError('unknown_dispatch', `no dispatch ${dispatchId}`);
      if (job.status !== 'running' || job.lockedBy !== workerId) {
        throw new ConflictError('lock_lost', `worker ${workerId} no longer owns dispatch ${dispatchId}`, {
          details: { dispatchId, status: job.status, lockedBy: job.lockedBy },
        });
      }
      const next = plain(dispatchRules.settled(job, settlement));
      await this.writeMany(q, [next]);
      if (next.status === 'queued' || next.status === 'retry_scheduled') await this.notify(q);
      return next;
    });
    return this.wakeLocal(next, next.status === 'queued' || next.status === 'retry_scheduled');
  }

  async replay(filter: DispatchFilter & { dispatchIds?: string[] }, now: number): Promise<DispatchJob[]> {
    const replayed = await this.q.atomic(async (q) => {
      const { rows } = await q.query<{ record: DispatchJob }>(
        `SELECT record FROM ${this.t('dispatch_jobs')} WHERE status = 'dead_lettered' ORDER BY available_at, created_at, dispatch_id FOR UPDATE`,
      );
      const replayed = records<DispatchJob>(rows)
        .filter((j) => j.status === 'dead_lettered' && dispatchRules.matchesDispatchFilter(j, { ...filter, status: 'dead_lettered' }))
        .sort(dispatchRules.claimOrder)
        .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
        .map((job) => dispatchRules.replayed(job, now));
      await this.writeMany(q, replayed);
      if (replayed.length > 0) await this.notify(q);
      return plain(replayed);
    });
    return this.wakeLocal(replayed, replayed.length > 0);
  }

  /**
   * Resolves on a NOTIFY for this schema (enqueue, replay, settle-to-retry from any process or
   * host), on an in-process commit, on abort, or after `timeoutMs`. The first call starts the
   * listening connection.
   */
  async waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    let woken = false;
    let wake: () => void = () => {
      woken = true;
    };
    const relay = () => wake();
    // Registered before the listener connects, so an in-process wake-up in between is not lost.
    this.ctx.listener.add(relay);
    try {
      await this.ctx.listener.ensure();
      if (woken || signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    } finally {
      this.ctx.listener.delete(relay);
    }
  }

  /** NOTIFY is transactional: listeners in every process hear it when the write commits. */
  private async notify(q: Executor): Promise<void> {
    await q.query('SELECT pg_notify($1, $2)', [this.ctx.channel, 'work']);
  }

  /** In-process waiters are woken directly once the write is committed. */
  private wakeLocal<T>(result: T, notified: boolean): T {
    if (notified) this.afterCommit(() => this.ctx.listener.wakeAll());
    return result;
  }

  private async read(q: Executor, dispatchId: string, forUpdate: boolean): Promise<DispatchJob | null> {
    return first<DispatchJob>(
      (await q.query(`SELECT record FROM ${this.t('dispatch_jobs')} WHERE dispatch_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [dispatchId])).rows,
    );
  }

  private async writeMany(q: Executor, jobs: DispatchJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await q.query(
      `UPDATE ${this.t('dispatch_jobs')} d SET status = v.status, available_at = v.available_at, locked_until = v.locked_until, record = v.record
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::json[]) AS v(dispatch_id, status, available_at, locked_until, record)
       WHERE d.dispatch_id = v.dispatch_id`,
      [jobs.map((j) => j.dispatchId), jobs.map((j) => j.status), jobs.map((j) => j.availableAt), jobs.map((j) => j.lockedUntil ?? null), jobs.map((j) => json(j))],
    );
  }
}
