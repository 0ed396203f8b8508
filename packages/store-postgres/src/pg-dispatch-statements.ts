import { isoAt, type DispatchJob, type DispatchSettlement } from '@integration/contracts';
import type { Executor } from './executor';
import { json, type PgContext } from './pg-context';

/**
 * The two dispatch statements many calls share (see sharedStatement): each takes the rows of
 * every call in its batch and carries its own NOTIFY, so a batch is one round trip and one commit.
 */

/** Inserts the new jobs (an existing dispatch id is left untouched); returns the ids inserted. */
export async function insertJobs(q: Executor, ctx: PgContext, rows: NewJobRow[]): Promise<Set<string>> {
  const column = <T>(pick: (job: DispatchJob) => T) => rows.map((r) => pick(r.job));
  const { rows: inserted } = await q.query<{ dispatch_id: string }>(
    `WITH inserted AS (
       INSERT INTO ${ctx.t('dispatch_jobs')} (dispatch_id, status, available_at, locked_until, created_at, run_id, connector_id, trigger_id, record)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::json[])
       ON CONFLICT (dispatch_id) DO NOTHING
       RETURNING dispatch_id
     )
     SELECT dispatch_id, pg_notify($10, $11) FROM inserted`,
    [
      column((j) => j.dispatchId),
      column((j) => j.status),
      column((j) => j.availableAt),
      column((j) => j.lockedUntil ?? null),
      column((j) => j.createdAt),
      column((j) => j.runId),
      column((j) => j.connectorId),
      column((j) => j.triggerId),
      rows.map((r) => r.record),
      ctx.channel,
      ctx.listener.origin,
    ],
  );
  return new Set(inserted.map((r) => r.dispatch_id));
}

/** Applies each settlement whose job the worker still holds; returns the settled jobs by id. */
export async function updateSettled(q: Executor, ctx: PgContext, rows: SettleRow[]): Promise<Map<string, DispatchJob>> {
  const { rows: settled } = await q.query<{ dispatch_id: string; record: DispatchJob }>(
    `WITH v AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::int[]) AS v(dispatch_id, lease_owner, status, available_at, patch, undo_attempt)
     ),
     settled AS (
       UPDATE ${ctx.t('dispatch_jobs')} d
       SET status = v.status, available_at = coalesce(v.available_at, d.available_at), locked_until = NULL,
           record = (d.record::jsonb || v.patch || jsonb_build_object('attempts', greatest(0, (d.record->>'attempts')::int - v.undo_attempt)))::json
       FROM v
       WHERE d.dispatch_id = v.dispatch_id AND d.status = 'running' AND d.record->>'lockedBy' = v.lease_owner
       RETURNING d.dispatch_id, d.status, d.record
     )
     SELECT dispatch_id, record, CASE WHEN status IN ('queued', 'retry_scheduled') THEN pg_notify($7, $8) IS NULL END AS notified FROM settled`,
    [
      rows.map((r) => r.dispatchId),
      rows.map((r) => r.leaseOwner),
      rows.map((r) => r.status),
      rows.map((r) => r.availableAt),
      rows.map((r) => json(r.patch)),
      rows.map((r) => (r.undoAttempt ? 1 : 0)),
      ctx.channel,
      ctx.listener.origin,
    ],
  );
  return new Map(settled.map((r) => [r.dispatch_id, r.record]));
}

/**
 * What a settlement writes over the running job's record (dispatchRules.settled, as a patch so
 * the conditional UPDATE needs no prior read). `undoAttempt` takes back the attempt a release
 * before the start had counted.
 */
export function settlementPatch(settlement: DispatchSettlement): Omit<SettleRow, 'dispatchId' | 'leaseOwner'> {
  const at = isoAt(settlement.at);
  const unlocked = { lockedBy: null, lockedUntil: null, updatedAt: at };
  switch (settlement.status) {
    case 'completed':
      return { patch: { ...unlocked, status: 'completed', completedAt: at, lastError: null }, status: 'completed', availableAt: null, undoAttempt: false };
    case 'retry_scheduled': {
      const availableAt = isoAt(settlement.availableAt);
      return { patch: { ...unlocked, status: 'retry_scheduled', availableAt, lastError: settlement.error }, status: 'retry_scheduled', availableAt, undoAttempt: false };
    }
    case 'dead_lettered':
      return { patch: { ...unlocked, status: 'dead_lettered', deadLetteredAt: at, lastError: settlement.error }, status: 'dead_lettered', availableAt: null, undoAttempt: false };
    case 'released': {
      const availableAt = isoAt(settlement.availableAt);
      return { patch: { ...unlocked, status: 'queued', availableAt }, status: 'queued', availableAt, undoAttempt: settlement.undoAttempt };
    }
  }
}

export interface NewJobRow {
  job: DispatchJob;
  /** The job as stored (JSON text). */
  record: string;
}

export interface SettleRow {
  dispatchId: string;
  leaseOwner: string;
  patch: Partial<DispatchJob>;
  status: DispatchJob['status'];
  /** The new availableAt, or null to keep it. */
  availableAt: string | null;
  undoAttempt: boolean;
}
