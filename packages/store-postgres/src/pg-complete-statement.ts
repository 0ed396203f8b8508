import { ledgerRules, type Attempt, type AttemptCompletion, type AttemptCompletionResult, type Run } from '@integration/contracts';
import type { Executor } from './executor';
import { json } from './pg-context';
import { eventColumns } from './pg-events';
import { isUniqueViolation } from './pg-start-statement';

/**
 * `completeAttempt` outside a transaction in one statement (two without a matching `current`
 * hint: the records are read first), kept because it halves the invoke's time on Postgres (see
 * `pnpm bench:stores`). It writes only if the run and attempt rows still hold exactly the JSON
 * text the merge was computed from, so the merge (the shared `ledgerRules`) sees what the
 * composed calls would. Null when the composed path must decide: a changed row (the statement
 * writes nothing), a taken event position (23505), missing rows, a fence that is not the stored
 * one, repeated positions, events on other attempts, repeated artifacts.
 */
export async function completeInOneStatement(q: Executor, t: (table: string) => string, c: AttemptCompletion): Promise<AttemptCompletionResult | null> {
  if (!completionIsClean(c)) return null;
  if (c.current && c.current.run.runId === c.runId && c.current.attempt.attemptId === c.attemptId) {
    const hinted = await completeIfUnchanged(q, t, c, { run: c.current.run, runText: json(c.current.run), attempt: c.current.attempt, attemptText: json(c.current.attempt) });
    if (hinted) return hinted;
  }
  const read = await q.query<{ run: string | null; attempt: string | null; latest: number | null }>(
    `SELECT (SELECT record::text FROM ${t('runs')} WHERE run_id = $1) AS run,
            (SELECT record::text FROM ${t('attempts')} WHERE attempt_id = $2) AS attempt,
            (SELECT MAX(attempt) FROM ${t('attempts')} WHERE run_id = $1) AS latest`,
    [c.runId, c.attemptId],
  );
  const row = read.rows[0];
  if (!row) return null;
  // Attempts are never deleted: a newer attempt seen now stays newer.
  const superseded = ledgerRules.supersededCompletion(row.latest, c.expectLatestAttempt);
  if (superseded) return superseded;
  if (row.run === null || row.attempt === null) return null;
  return completeIfUnchanged(q, t, c, { run: JSON.parse(row.run) as Run, runText: row.run, attempt: JSON.parse(row.attempt) as Attempt, attemptText: row.attempt });
}

function completionIsClean(c: AttemptCompletion): boolean {
  const positions = new Set(c.events.map(ledgerRules.eventPositionKey));
  return (
    positions.size === c.events.length &&
    c.events.every((e) => e.attemptId === null || e.attemptId === c.attemptId) &&
    new Set(c.artifacts.map((a) => a.artifactId)).size === c.artifacts.length
  );
}

interface Basis {
  run: Run;
  runText: string;
  attempt: Attempt;
  attemptText: string;
}

async function completeIfUnchanged(q: Executor, t: (table: string) => string, c: AttemptCompletion, basis: Basis): Promise<AttemptCompletionResult | null> {
  // Only the stored fence itself: then the fence check passes and no event adopts an epoch.
  if (basis.attempt.aggregatorId !== c.fence.aggregatorId || basis.attempt.aggregatorEpoch !== c.fence.aggregatorEpoch) return null;
  const attemptText = json(ledgerRules.patchedAttempt(basis.attempt, c.attemptId, c.attemptPatch, c.fence));
  const runText = json(ledgerRules.patchedRun(basis.run, c.runId, c.runPatch));
  const run = JSON.parse(runText) as Run;
  try {
    const { rows } = await q.query<{ ok: boolean }>(
      // Locks the attempt before the run, like the composed calls.
      `WITH ok_attempt AS (
         SELECT 1 FROM ${t('attempts')} WHERE attempt_id = $2 AND record::text = $4
           AND NOT EXISTS (SELECT 1 FROM ${t('attempts')} WHERE run_id = $1 AND attempt > $5) FOR UPDATE),
       ok_run AS (
         SELECT 1 FROM ${t('runs')} WHERE run_id = $1 AND record::text = $3 AND EXISTS (SELECT 1 FROM ok_attempt) FOR UPDATE),
       go AS (SELECT 1 FROM ok_run),
       ua AS (UPDATE ${t('attempts')} SET record = $6::json WHERE attempt_id = $2 AND EXISTS (SELECT 1 FROM go)),
       ur AS (UPDATE ${t('runs')} SET status = $7, record = $8::json WHERE run_id = $1 AND EXISTS (SELECT 1 FROM go)),
       art AS (INSERT INTO ${t('artifacts')} (artifact_id, run_id, record)
         SELECT * FROM unnest($9::text[], $10::text[], $11::json[]) WHERE EXISTS (SELECT 1 FROM go)
         ON CONFLICT (artifact_id) DO UPDATE SET record = excluded.record),
       ev AS (INSERT INTO ${t('events')} (run_id, attempt_key, attempt_id, attempt, seq, record)
         SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::int[], $16::int[], $17::json[]) WHERE EXISTS (SELECT 1 FROM go))
       SELECT EXISTS (SELECT 1 FROM go) AS ok`,
      [
        c.runId,
        c.attemptId,
        basis.runText,
        basis.attemptText,
        c.expectLatestAttempt,
        attemptText,
        run.status,
        runText,
        c.artifacts.map((a) => a.artifactId),
        c.artifacts.map((a) => a.runId),
        c.artifacts.map((a) => json(a)),
        ...eventColumns(c.events),
      ],
    );
    if (!rows[0]?.ok) return null;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return null;
  }
  return { applied: true, run, attempt: JSON.parse(attemptText) as Attempt };
}
