import { ledgerRules, type AggregatorFence, type Attempt, type Event } from '@integration/contracts';
import type { Executor } from './executor';
import { json } from './pg-context';

/** unnest() columns of an event batch: run_id, attempt_key, attempt_id, attempt, seq, record. */
export const eventColumns = (events: Event[]): unknown[] => [
  events.map((e) => e.runId),
  events.map((e) => e.attemptId ?? ''),
  events.map((e) => e.attemptId ?? null),
  events.map((e) => e.attempt ?? null),
  events.map((e) => e.seq),
  events.map((e) => json(e)),
];

interface InsertedRow {
  run_id: string | null;
  attempt_key: string | null;
  seq: number | null;
  attempt: Attempt | null;
}

/**
 * Appends an event batch on `q`, insert-first: the first event at each position goes in with
 * `ON CONFLICT DO NOTHING` (one statement, which also locks the batch's attempts when fenced);
 * positions that were already taken are read back and the shared plan compares them (identical →
 * no-op, different → `event_conflict`), then the fence is checked on the attempts of the events
 * that landed. It may throw after inserting: the caller runs it under a transaction or SAVEPOINT.
 */
export async function appendEventBatch(q: Executor, t: (table: string) => string, events: Event[], fence?: AggregatorFence): Promise<void> {
  if (events.length === 0) return;
  const firstAt = new Map<string, Event>();
  for (const event of events) if (!firstAt.has(ledgerRules.eventPositionKey(event))) firstAt.set(ledgerRules.eventPositionKey(event), event);
  const candidates = [...firstAt.values()];
  const fencedIds = fence ? ledgerRules.attemptIdsOf(candidates) : [];
  const insertSql = `INSERT INTO ${t('events')} (run_id, attempt_key, attempt_id, attempt, seq, record)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::json[])
     ON CONFLICT ON CONSTRAINT events_position_key DO NOTHING
     RETURNING run_id, attempt_key, seq`;
  const { rows } = await q.query<InsertedRow>(
    fencedIds.length === 0
      ? insertSql
      : `WITH ins AS (${insertSql}),
              att AS (SELECT record FROM ${t('attempts')} WHERE attempt_id = ANY($7::text[]) ORDER BY attempt_id FOR UPDATE)
         SELECT run_id, attempt_key, seq, NULL::json AS attempt FROM ins
         UNION ALL SELECT NULL, NULL, NULL, record FROM att`,
    fencedIds.length === 0 ? eventColumns(candidates) : [...eventColumns(candidates), fencedIds],
  );
  const landed = new Set(rows.flatMap((r) => (r.seq === null ? [] : [`${r.run_id}|${r.attempt_key}|${r.seq}`])));
  const lockedAttempts = new Map(rows.flatMap((r) => (r.attempt ? [[r.attempt.attemptId, r.attempt] as const] : [])));
  const taken = candidates.filter((e) => !landed.has(ledgerRules.eventPositionKey(e)));
  const stored = taken.length > 0 ? await eventsAt(q, t, taken) : new Map<string, Event>();
  const fresh = ledgerRules.planEventBatch(events, (event) => {
    const key = ledgerRules.eventPositionKey(event);
    if (landed.has(key)) return null;
    const existing = stored.get(key);
    // Taken when we inserted but free again (a concurrent batch rolled back): nothing to compare
    // with, so report the conflict rather than guess.
    if (!existing) throw ledgerRules.eventConflict(event);
    return existing;
  });
  if (!fence) return;
  for (const attempt of ledgerRules.fenceEventAttempts(fresh, fence, (id) => lockedAttempts.get(id))) await writeAttempt(q, t, attempt);
}

async function eventsAt(q: Executor, t: (table: string) => string, events: Event[]): Promise<Map<string, Event>> {
  const { rows } = await q.query<{ record: Event }>(
    `SELECT e.record FROM ${t('events')} e
     JOIN unnest($1::text[], $2::text[], $3::int[]) AS p(run_id, attempt_key, seq)
       ON e.run_id = p.run_id AND e.attempt_key = p.attempt_key AND e.seq = p.seq`,
    [events.map((e) => e.runId), events.map((e) => e.attemptId ?? ''), events.map((e) => e.seq)],
  );
  return new Map(rows.map((r) => [ledgerRules.eventPositionKey(r.record), r.record]));
}

export async function writeAttempt(q: Executor, t: (table: string) => string, attempt: Attempt): Promise<void> {
  await q.query(`UPDATE ${t('attempts')} SET record = $2::json WHERE attempt_id = $1`, [attempt.attemptId, json(attempt)]);
}
