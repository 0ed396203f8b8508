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
  type TurnBatcher,
} from '@integration/contracts';
import type { Executor } from './executor';
import { insertJobs, settlementPatch, updateSettled, type NewJobRow, type SettleRow } from './pg-dispatch-statements';
import { sharedStatement } from './shared-statement';
import { PgAccess, first, json, plain, records } from './pg-context';

const byCreated = (a: DispatchJob, b: DispatchJob) =>
  a.createdAt === b.createdAt ? (a.dispatchId < b.dispatchId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

export class PgDispatchStore extends PgAccess implements DispatchStore {
  private batchers: { enqueue: TurnBatcher<NewJobRow, Set<string>>; settle: TurnBatcher<SettleRow, Map<string, DispatchJob>> } | null = null;

  /**
   * One statement: the insert and its NOTIFY commit together (NOTIFY is transactional), and only a
   * duplicate costs a second query (to return the stored job untouched). Outside a transaction,
   * enqueues that arrive in the same event-loop turn share that statement (see sharedStatement).
   */
  async enqueue(job: DispatchJob): Promise<{ status: 'enqueued' | 'duplicate'; job: DispatchJob }> {
    const row: NewJobRow = { job, record: json(job) };
    const inserted = this.q.inTransaction ? await insertJobs(this.q, this.ctx, [row]) : await this.batches().enqueue.submit(row);
    if (!inserted.has(job.dispatchId)) {
      const existing = await this.read(this.q, job.dispatchId);
      return { status: 'duplicate', job: existing! };
    }
    return this.wakeLocal({ status: 'enqueued', job: JSON.parse(row.record) as DispatchJob }, true);
  }

  async fetchJob(dispatchId: string): Promise<DispatchJob | null> {
    return this.read(this.q, dispatchId);
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
   * One statement: `SELECT … FOR UPDATE SKIP LOCKED` in claim order picks the due rows and the
   * UPDATE marks them running under the lease (the record is patched in place by
   * dispatchRules.claimed's rule, which the store battery holds every tier to). Queued and
   * expired-lease rows are read separately, each off its own partial index in claim order, and
   * merged; concurrent claimers on any connection skip each other's rows, so no job is handed out
   * twice.
   */
  async claim(request: ClaimRequest): Promise<DispatchJob[]> {
    if (request.limit <= 0) return [];
    const nowIso = isoAt(request.now);
    const { rows } = await this.q.query<{ record: DispatchJob }>(
      `WITH queued AS (
         SELECT dispatch_id, available_at, created_at FROM ${this.t('dispatch_jobs')}
         WHERE status IN ('queued', 'retry_scheduled') AND available_at <= $1
         ORDER BY available_at, created_at, dispatch_id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ),
       expired AS (
         SELECT dispatch_id, available_at, created_at FROM ${this.t('dispatch_jobs')}
         WHERE status = 'running' AND locked_until < $1
         ORDER BY available_at, created_at, dispatch_id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ),
       due AS (
         SELECT dispatch_id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) candidates
         ORDER BY available_at, created_at, dispatch_id
         LIMIT $2
       )
       UPDATE ${this.t('dispatch_jobs')} d
       SET status = 'running', locked_until = $4,
           record = (d.record::jsonb || jsonb_build_object(
             'status', 'running',
             'attempts', (d.record->>'attempts')::int + 1,
             'lockedBy', $3::text,
             'lockedUntil', $4::text,
             'updatedAt', $1::text,
             'lastError', CASE WHEN d.status = 'running' THEN jsonb_build_object(
               'stage', 'recovery',
               'code', 'lock_lost',
               'message', 'the lease held by ' || coalesce(d.record->>'lockedBy', 'unknown') || ' expired before the job settled',
               'retryable', true,
               'details', jsonb_build_object('previousLeaseOwner', d.record->'lockedBy'),
               'recordedAt', $1::text
             ) ELSE d.record::jsonb->'lastError' END
           ))::json
       FROM due WHERE d.dispatch_id = due.dispatch_id
       RETURNING d.record`,
      [nowIso, request.limit, request.leaseOwner, isoAt(request.now + request.leaseMs)],
    );
    return records<DispatchJob>(rows).sort(dispatchRules.claimOrder);
  }

  /** One statement; rows are locked in id order so two overlapping heartbeats cannot deadlock. */
  async heartbeat(dispatchIds: string[], leaseOwner: string, lockedUntil: string): Promise<string[]> {
    if (dispatchIds.length === 0) return [];
    const { rows } = await this.q.query<{ dispatch_id: string }>(
      `WITH owned AS (
         SELECT dispatch_id FROM ${this.t('dispatch_jobs')}
         WHERE dispatch_id = ANY($1::text[]) AND status = 'running' AND record->>'lockedBy' = $2
         ORDER BY dispatch_id
         FOR UPDATE
       )
       UPDATE ${this.t('dispatch_jobs')} d
       SET locked_until = $3, record = (d.record::jsonb || jsonb_build_object('lockedUntil', $3::text))::json
       FROM owned WHERE d.dispatch_id = owned.dispatch_id AND d.status = 'running' AND d.record->>'lockedBy' = $2
       RETURNING d.dispatch_id`,
      [dispatchIds, leaseOwner, lockedUntil],
    );
    const owned = new Set(rows.map((r) => r.dispatch_id));
    return dispatchIds.filter((id) => owned.has(id));
  }

  /**
   * One conditional UPDATE fenced by the lease (`status = 'running'` and `lockedBy` = this lease owner):
   * a worker whose lease expired and was taken over changes nothing. Only a refused settle costs a
   * second query, to tell `unknown_dispatch` from `lock_lost`. A settle back to the queue NOTIFYs
   * in the same statement. Outside a transaction, settles of one event-loop turn share it.
   */
  async settle(dispatchId: string, leaseOwner: string, settlement: DispatchSettlement): Promise<DispatchJob> {
    const row: SettleRow = { dispatchId, leaseOwner, ...settlementPatch(settlement) };
    const settled = this.q.inTransaction ? await updateSettled(this.q, this.ctx, [row]) : await this.batches().settle.submit(row);
    const next = settled.get(dispatchId);
    if (next) return this.wakeLocal(next, next.status === 'queued' || next.status === 'retry_scheduled');
    const job = await this.read(this.q, dispatchId);
    if (!job) throw new NotFoundError('unknown_dispatch', `no dispatch ${dispatchId}`);
    throw new ConflictError('lock_lost', `lease owner ${leaseOwner} no longer holds dispatch ${dispatchId}`, {
      details: { dispatchId, status: job.status, lockedBy: job.lockedBy },
    });
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

  /**
   * NOTIFY is transactional: listeners in every process hear it when the write commits. The payload
   * names this stores instance, whose own waiters are woken directly (wakeLocal) and so skip it.
   */
  private async notify(q: Executor): Promise<void> {
    await q.query('SELECT pg_notify($1, $2)', [this.ctx.channel, this.ctx.listener.origin]);
  }

  /** In-process waiters are woken directly once the write is committed. */
  private wakeLocal<T>(result: T, notified: boolean): T {
    if (notified) this.afterCommit(() => this.ctx.listener.wakeAll());
    return result;
  }

  /** The statement batchers of this (non-transactional) store view, made on first use. */
  private batches() {
    this.batchers ??= {
      enqueue: sharedStatement((rows: NewJobRow[]) => insertJobs(this.q, this.ctx, rows), (row) => row.job.dispatchId),
      settle: sharedStatement((rows: SettleRow[]) => updateSettled(this.q, this.ctx, rows), (row) => row.dispatchId),
    };
    return this.batchers;
  }

  private async read(q: Executor, dispatchId: string): Promise<DispatchJob | null> {
    return first<DispatchJob>((await q.query(`SELECT record FROM ${this.t('dispatch_jobs')} WHERE dispatch_id = $1`, [dispatchId])).rows);
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
