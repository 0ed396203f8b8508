import {
  ConflictError,
  NotFoundError,
  canonicalJson,
  checkFence,
  eventIdentity,
  type AggregatorFence,
  type AttemptCompletion,
  type AttemptCompletionResult,
  type AttemptStart,
  type ArtifactRef,
  type Attempt,
  type AttemptPatch,
  type Event,
  type LedgerStore,
  type Run,
  type RunFilter,
  type RunPatch,
  type TargetDescriptor,
} from '@integration/contracts';
import type { Executor } from './executor';
import { PgAccess, first, json, plain, records } from './pg-context';

const positionKey = (e: Pick<Event, 'runId' | 'attemptId' | 'seq'>) => `${e.runId}|${e.attemptId ?? ''}|${e.seq}`;

const conflict = (event: Event) =>
  new ConflictError('event_conflict', `a different event already holds ${event.runId} ${event.attemptId ?? 'run'} seq ${event.seq}`, {
    details: { runId: event.runId, attemptId: event.attemptId, seq: event.seq },
  });

const isUniqueViolation = (error: unknown): boolean =>
  !!error && typeof error === 'object' && (error as { details?: { sqlState?: unknown } }).details?.sqlState === '23505';

/** unnest() columns of an event batch: run_id, attempt_key, attempt_id, attempt, seq, record. */
const eventColumns = (events: Event[]): unknown[] => [
  events.map((e) => e.runId),
  events.map((e) => e.attemptId ?? ''),
  events.map((e) => e.attemptId ?? null),
  events.map((e) => e.attempt ?? null),
  events.map((e) => e.seq),
  events.map((e) => json(e)),
];

/** No repeated positions in the batch, and events only on `attemptId` (or run-level). */
const eventsAreClean = (events: Event[], attemptId: string): boolean => {
  const positions = new Set(events.map(positionKey));
  return positions.size === events.length && events.every((e) => e.attemptId === null || e.attemptId === attemptId);
};

const startIsClean = (s: AttemptStart): boolean =>
  s.fence.aggregatorId === s.attempt.aggregatorId && s.fence.aggregatorEpoch === s.attempt.aggregatorEpoch && eventsAreClean(s.events, s.attempt.attemptId);

const completionIsClean = (c: AttemptCompletion): boolean =>
  eventsAreClean(c.events, c.attemptId) && new Set(c.artifacts.map((a) => a.artifactId)).size === c.artifacts.length;

export class PgLedgerStore extends PgAccess implements LedgerStore {
  async putRun(run: Run): Promise<void> {
    const inserted = await this.q.query(
      `INSERT INTO ${this.t('runs')} (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record, has_sealed_input)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9) ON CONFLICT DO NOTHING`,
      [run.runId, run.capabilityId, run.connectorId, run.status, run.tenantId ?? null, run.idempotencyKey || null, run.createdAt, json(run), run.sealedInput != null],
    );
    if (inserted.rowCount === 0) {
      const existing = await this.q.query(`SELECT 1 FROM ${this.t('runs')} WHERE run_id = $1`, [run.runId]);
      if (existing.rowCount) throw new ConflictError('duplicate_record', `run ${run.runId} already exists`);
      throw new ConflictError('duplicate_record', `a run with idempotency key ${run.idempotencyKey} already exists`, {
        details: { capabilityId: run.capabilityId, idempotencyKey: run.idempotencyKey },
      });
    }
  }

  async fetchRun(runId: string): Promise<Run | null> {
    return first<Run>((await this.q.query(`SELECT record FROM ${this.t('runs')} WHERE run_id = $1`, [runId])).rows);
  }

  async updateRun(runId: string, patch: RunPatch): Promise<Run> {
    return this.q.atomic(async (q) => {
      const current = first<Run>((await q.query(`SELECT record FROM ${this.t('runs')} WHERE run_id = $1 FOR UPDATE`, [runId])).rows);
      if (!current) throw new NotFoundError('unknown_run', `no run ${runId}`);
      const next = plain({ ...current, ...patch });
      await q.query(`UPDATE ${this.t('runs')} SET status = $2, record = $3::json WHERE run_id = $1`, [runId, next.status, json(next)]);
      return next;
    });
  }

  async findRunByIdempotencyKey(capabilityId: string, idempotencyKey: string): Promise<Run | null> {
    return first<Run>(
      (
        await this.q.query(`SELECT record FROM ${this.t('runs')} WHERE capability_id = $1 AND idempotency_key = $2 ORDER BY ord DESC LIMIT 1`, [
          capabilityId,
          idempotencyKey,
        ])
      ).rows,
    );
  }

  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['capability_id', filter.capabilityId],
      ['connector_id', filter.connectorId],
      ['status', filter.status],
      ['tenant_id', filter.tenantId],
    ] as const) {
      if (value) {
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
    }
    let sql = `SELECT record FROM ${this.t('runs')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, run_id`;
    if (filter.limit) {
      params.push(filter.limit);
      sql += ` LIMIT $${params.length}`;
    }
    return records<Run>((await this.q.query(sql, params)).rows);
  }

  async listSealedRuns(afterRunId: string | null, limit: number): Promise<Run[]> {
    const sql = `SELECT record FROM ${this.t('runs')} WHERE has_sealed_input AND run_id > $1 ORDER BY run_id LIMIT $2`;
    return records<Run>((await this.q.query(sql, [afterRunId ?? '', limit])).rows);
  }

  async putAttempt(attempt: Attempt): Promise<void> {
    const inserted = await this.q.query(
      `INSERT INTO ${this.t('attempts')} (attempt_id, run_id, attempt, record) VALUES ($1, $2, $3, $4::json) ON CONFLICT DO NOTHING`,
      [attempt.attemptId, attempt.runId, attempt.attempt, json(attempt)],
    );
    if (inserted.rowCount === 0) throw new ConflictError('duplicate_record', `attempt ${attempt.attemptId} already exists`);
  }

  async fetchAttempt(attemptId: string): Promise<Attempt | null> {
    return first<Attempt>((await this.q.query(`SELECT record FROM ${this.t('attempts')} WHERE attempt_id = $1`, [attemptId])).rows);
  }

  async listAttempts(runId: string): Promise<Attempt[]> {
    return records<Attempt>((await this.q.query(`SELECT record FROM ${this.t('attempts')} WHERE run_id = $1 ORDER BY attempt`, [runId])).rows);
  }

  async updateAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt> {
    return this.q.atomic(async (q) => {
      const current = await this.lockAttempt(q, attemptId);
      if (!current) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
      checkFence(current, fence);
      const next = plain({ ...current, ...patch, aggregatorId: fence.aggregatorId, aggregatorEpoch: fence.aggregatorEpoch });
      await this.writeAttempt(q, next);
      return next;
    });
  }

  /**
   * Insert-first: every event goes in with `ON CONFLICT DO NOTHING` (one statement); positions that
   * were already taken are then compared in batch order exactly like the memory tier (identical →
   * no-op, different → `event_conflict`), and the fence is checked on the attempts of the events
   * that landed. A rejected batch deletes the rows it inserted, so it writes nothing — inside a
   * caller's transaction too — without a savepoint round trip.
   */
  async appendEvents(events: Event[], fence?: AggregatorFence): Promise<void> {
    if (events.length === 0) return;
    await this.q.atomic(async (q) => {
      const firstAt = new Map<string, Event>();
      for (const event of events) if (!firstAt.has(positionKey(event))) firstAt.set(positionKey(event), event);
      const candidates = [...firstAt.values()];
      // With a fence, the attempts of the batch are locked in the same round trip as the insert.
      const fencedIds = fence ? [...new Set(candidates.map((e) => e.attemptId).filter((id): id is string => id !== null))] : [];
      const params: unknown[] = [
        candidates.map((e) => e.runId),
        candidates.map((e) => e.attemptId ?? ''),
        candidates.map((e) => e.attemptId ?? null),
        candidates.map((e) => e.attempt ?? null),
        candidates.map((e) => e.seq),
        candidates.map((e) => json(e)),
      ];
      const insertSql = `INSERT INTO ${this.t('events')} (run_id, attempt_key, attempt_id, attempt, seq, record)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::json[])
         ON CONFLICT ON CONSTRAINT events_position_key DO NOTHING
         RETURNING ord, run_id, attempt_key, seq`;
      const result = await q.query<{ ord: string | null; run_id: string | null; attempt_key: string | null; seq: number | null; attempt: Attempt | null }>(
        fencedIds.length === 0
          ? insertSql
          : `WITH ins AS (${insertSql}),
                  att AS (SELECT record FROM ${this.t('attempts')} WHERE attempt_id = ANY($7::text[]) ORDER BY attempt_id FOR UPDATE)
             SELECT ord::text AS ord, run_id, attempt_key, seq, NULL::json AS attempt FROM ins
             UNION ALL SELECT NULL, NULL, NULL, NULL, record FROM att`,
        fencedIds.length === 0 ? params : [...params, fencedIds],
      );
      const inserted = { rows: result.rows.filter((r) => r.ord !== null) as Array<{ ord: string; run_id: string; attempt_key: string; seq: number }> };
      const lockedAttempts = new Map(result.rows.flatMap((r) => (r.attempt ? [[r.attempt.attemptId, r.attempt] as const] : [])));
      const landed = new Set(inserted.rows.map((r) => `${r.run_id}|${r.attempt_key}|${r.seq}`));
      const undo = async () => {
        if (inserted.rows.length > 0) await q.query(`DELETE FROM ${this.t('events')} WHERE ord = ANY($1::bigint[])`, [inserted.rows.map((r) => r.ord)]);
      };
      const taken = candidates.filter((e) => !landed.has(positionKey(e)));
      const stored = taken.length > 0 ? await this.atPositions(q, taken) : new Map<string, Event>();
      const fresh: Event[] = [];
      const batch = new Map<string, Event>();
      for (const event of events) {
        const key = positionKey(event);
        const existing = stored.get(key) ?? batch.get(key);
        if (existing) {
          if (canonicalJson(eventIdentity(existing)) !== canonicalJson(eventIdentity(event))) {
            await undo();
            throw conflict(event);
          }
          continue;
        }
        if (!landed.has(key)) {
          // The position was taken when we inserted but is free again (a concurrent batch undid itself):
          // there is nothing to compare with, so report the conflict rather than guess.
          await undo();
          throw conflict(event);
        }
        batch.set(key, event);
        fresh.push(event);
      }
      if (!fence) return;
      const adopt: Attempt[] = [];
      try {
        for (const attemptId of new Set(fresh.map((e) => e.attemptId).filter((id): id is string => id !== null))) {
          const attempt = lockedAttempts.get(attemptId);
          if (!attempt) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
          checkFence(attempt, fence);
          if (attempt.aggregatorEpoch !== fence.aggregatorEpoch) adopt.push({ ...attempt, ...fence });
        }
      } catch (error) {
        await undo();
        throw error;
      }
      // Every attempt passed the fence: only now adopt a newer epoch (all or nothing).
      for (const attempt of adopt) await this.writeAttempt(q, attempt);
    });
  }

  async listEvents(runId: string): Promise<Event[]> {
    return records<Event>(
      (await this.q.query(`SELECT record FROM ${this.t('events')} WHERE run_id = $1 ORDER BY COALESCE(attempt, 0), seq, ord`, [runId])).rows,
    );
  }

  async nextSeq(runId: string, attemptId: string | null): Promise<number> {
    const { rows } = await this.q.query<{ seq: number | null }>(
      `SELECT MAX(seq) AS seq FROM ${this.t('events')} WHERE run_id = $1 AND attempt_key = $2 AND attempt_id IS NOT DISTINCT FROM $3`,
      [runId, attemptId ?? '', attemptId],
    );
    const max = rows[0]?.seq ?? null;
    return max === null ? 0 : Number(max) + 1;
  }

  /**
   * Outside a transaction, the clean case (new run, attempt and event positions, the fence equal
   * to the new attempt's) is one INSERT statement with three data-modifying CTEs: one round trip.
   * Plain INSERTs make any taken key fail the whole statement (23505), and then — as for anything
   * unusual — the composed calls run in a transaction and give the exact outcome.
   */
  async startAttempt(start: AttemptStart): Promise<void> {
    if (!this.q.inTransaction && startIsClean(start)) {
      const { run, attempt, events } = start;
      try {
        await this.q.query(
          `WITH r AS (
             INSERT INTO ${this.t('runs')} (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record, has_sealed_input)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $19)),
           a AS (INSERT INTO ${this.t('attempts')} (attempt_id, run_id, attempt, record) VALUES ($9, $10, $11, $12::json)),
           e AS (INSERT INTO ${this.t('events')} (run_id, attempt_key, attempt_id, attempt, seq, record)
             SELECT * FROM unnest($13::text[], $14::text[], $15::text[], $16::int[], $17::int[], $18::json[]))
           SELECT 1`,
          [
            run.runId,
            run.capabilityId,
            run.connectorId,
            run.status,
            run.tenantId ?? null,
            run.idempotencyKey || null,
            run.createdAt,
            json(run),
            attempt.attemptId,
            attempt.runId,
            attempt.attempt,
            json(attempt),
            ...eventColumns(events),
            run.sealedInput != null,
          ],
        );
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    await this.q.atomic(async (q) => {
      const ledger = new PgLedgerStore(this.ctx, q, this.effects);
      await ledger.putRun(start.run);
      await ledger.putAttempt(start.attempt);
      await ledger.appendEvents(start.events, start.fence);
    }, { savepoint: true });
  }

  /**
   * Outside a transaction, the clean case is one statement (two round trips without a matching
   * `current` hint: the records are read first): it writes only if the run and attempt rows still
   * hold the text the merge was computed from. A taken event position fails the statement
   * (23505); a changed row makes it write nothing. Both, and anything unusual (missing rows, a
   * fence that is not the stored one), fall back to the composed calls in a transaction, which
   * give the exact outcome.
   */
  async completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult> {
    if (!this.q.inTransaction && completionIsClean(completion)) {
      const fast = await this.completeFast(completion);
      if (fast) return fast;
    }
    return this.q.atomic(async (q): Promise<AttemptCompletionResult> => {
      const ledger = new PgLedgerStore(this.ctx, q, this.effects);
      const { rows } = await q.query<{ latest: number | null }>(`SELECT MAX(attempt) AS latest FROM ${this.t('attempts')} WHERE run_id = $1`, [completion.runId]);
      const latest = rows[0]?.latest ?? null;
      if (latest !== null && latest > completion.expectLatestAttempt) return { applied: false, latestAttempt: latest };
      for (const artifact of completion.artifacts) await ledger.putArtifact(artifact);
      await ledger.appendEvents(completion.events, completion.fence);
      const attempt = await ledger.updateAttempt(completion.attemptId, completion.attemptPatch, completion.fence);
      const run = await ledger.updateRun(completion.runId, completion.runPatch);
      return { applied: true, run, attempt };
    }, { savepoint: true });
  }

  /**
   * The clean completion without a transaction: one statement when the caller's `current` hint
   * still matches the stored records, else a read of both records (as text) and that statement.
   * Null when the composed path must decide.
   */
  private async completeFast(c: AttemptCompletion): Promise<AttemptCompletionResult | null> {
    if (c.current && c.current.run.runId === c.runId && c.current.attempt.attemptId === c.attemptId) {
      const hinted = await this.completeIfUnchanged(c, c.current.run, json(c.current.run), c.current.attempt, json(c.current.attempt));
      if (hinted) return hinted;
    }
    const read = await this.q.query<{ run: string | null; attempt: string | null; latest: number | null }>(
      `SELECT (SELECT record::text FROM ${this.t('runs')} WHERE run_id = $1) AS run,
              (SELECT record::text FROM ${this.t('attempts')} WHERE attempt_id = $2) AS attempt,
              (SELECT MAX(attempt) FROM ${this.t('attempts')} WHERE run_id = $1) AS latest`,
      [c.runId, c.attemptId],
    );
    const row = read.rows[0];
    if (!row) return null;
    // Attempts are never deleted: a newer attempt seen now stays newer.
    if (row.latest !== null && row.latest > c.expectLatestAttempt) return { applied: false, latestAttempt: row.latest };
    if (row.run === null || row.attempt === null) return null;
    return this.completeIfUnchanged(c, JSON.parse(row.run) as Run, row.run, JSON.parse(row.attempt) as Attempt, row.attempt);
  }

  /**
   * One statement: lock the run and the attempt only if they still hold exactly `runText` /
   * `attemptText` (and no newer attempt exists), and only then upsert the artifacts, insert the
   * events (a taken position fails the statement: 23505) and write the merged records.
   */
  private async completeIfUnchanged(
    c: AttemptCompletion,
    currentRun: Run,
    runText: string,
    currentAttempt: Attempt,
    attemptText: string,
  ): Promise<AttemptCompletionResult | null> {
    // The merge of `current` equals the merge of its JSON text: json() drops what JSON drops.
    if (currentAttempt.aggregatorId !== c.fence.aggregatorId || currentAttempt.aggregatorEpoch !== c.fence.aggregatorEpoch) return null;
    const nextAttemptText = json({ ...currentAttempt, ...c.attemptPatch, aggregatorId: c.fence.aggregatorId, aggregatorEpoch: c.fence.aggregatorEpoch });
    const nextRunText = json({ ...currentRun, ...c.runPatch });
    const run = JSON.parse(nextRunText) as Run;
    try {
      const { rows } = await this.q.query<{ ok: boolean }>(
        // Locks the attempt before the run, like the composed calls (appendEvents, updateAttempt, updateRun).
        `WITH ok_attempt AS (
           SELECT 1 FROM ${this.t('attempts')} WHERE attempt_id = $2 AND record::text = $4
             AND NOT EXISTS (SELECT 1 FROM ${this.t('attempts')} WHERE run_id = $1 AND attempt > $5) FOR UPDATE),
         ok_run AS (
           SELECT 1 FROM ${this.t('runs')} WHERE run_id = $1 AND record::text = $3 AND EXISTS (SELECT 1 FROM ok_attempt) FOR UPDATE),
         go AS (SELECT 1 FROM ok_run),
         ua AS (UPDATE ${this.t('attempts')} SET record = $6::json WHERE attempt_id = $2 AND EXISTS (SELECT 1 FROM go)),
         ur AS (UPDATE ${this.t('runs')} SET status = $7, record = $8::json WHERE run_id = $1 AND EXISTS (SELECT 1 FROM go)),
         art AS (INSERT INTO ${this.t('artifacts')} (artifact_id, run_id, record)
           SELECT * FROM unnest($9::text[], $10::text[], $11::json[]) WHERE EXISTS (SELECT 1 FROM go)
           ON CONFLICT (artifact_id) DO UPDATE SET record = excluded.record),
         ev AS (INSERT INTO ${this.t('events')} (run_id, attempt_key, attempt_id, attempt, seq, record)
           SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::int[], $16::int[], $17::json[]) WHERE EXISTS (SELECT 1 FROM go))
         SELECT EXISTS (SELECT 1 FROM go) AS ok`,
        [
          c.runId,
          c.attemptId,
          runText,
          attemptText,
          c.expectLatestAttempt,
          nextAttemptText,
          run.status,
          nextRunText,
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
    return { applied: true, run, attempt: JSON.parse(nextAttemptText) as Attempt };
  }

  async putArtifact(artifact: ArtifactRef): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('artifacts')} (artifact_id, run_id, record) VALUES ($1, $2, $3::json)
       ON CONFLICT (artifact_id) DO UPDATE SET record = excluded.record`,
      [artifact.artifactId, artifact.runId, json(artifact)],
    );
  }

  async fetchArtifact(artifactId: string): Promise<ArtifactRef | null> {
    return first<ArtifactRef>((await this.q.query(`SELECT record FROM ${this.t('artifacts')} WHERE artifact_id = $1`, [artifactId])).rows);
  }

  async listArtifacts(runId: string): Promise<ArtifactRef[]> {
    return records<ArtifactRef>((await this.q.query(`SELECT record FROM ${this.t('artifacts')} WHERE run_id = $1 ORDER BY ord`, [runId])).rows);
  }

  async putTarget(target: TargetDescriptor): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('targets')} (target_id, record) VALUES ($1, $2::json) ON CONFLICT (target_id) DO UPDATE SET record = excluded.record`,
      [target.targetId, json(target)],
    );
  }

  async fetchTarget(targetId: string): Promise<TargetDescriptor | null> {
    return first<TargetDescriptor>((await this.q.query(`SELECT record FROM ${this.t('targets')} WHERE target_id = $1`, [targetId])).rows);
  }

  async listTargets(): Promise<TargetDescriptor[]> {
    return records<TargetDescriptor>((await this.q.query(`SELECT record FROM ${this.t('targets')} ORDER BY target_id`)).rows);
  }

  private async atPositions(q: Executor, events: Event[]): Promise<Map<string, Event>> {
    const { rows } = await q.query<{ record: Event }>(
      `SELECT e.record FROM ${this.t('events')} e
       JOIN unnest($1::text[], $2::text[], $3::int[]) AS p(run_id, attempt_key, seq)
         ON e.run_id = p.run_id AND e.attempt_key = p.attempt_key AND e.seq = p.seq`,
      [events.map((e) => e.runId), events.map((e) => e.attemptId ?? ''), events.map((e) => e.seq)],
    );
    return new Map(rows.map((r) => [positionKey(r.record), r.record]));
  }

  private async lockAttempt(q: Executor, attemptId: string): Promise<Attempt | null> {
    return first<Attempt>((await q.query(`SELECT record FROM ${this.t('attempts')} WHERE attempt_id = $1 FOR UPDATE`, [attemptId])).rows);
  }

  private async writeAttempt(q: Executor, attempt: Attempt): Promise<void> {
    await q.query(`UPDATE ${this.t('attempts')} SET record = $2::json WHERE attempt_id = $1`, [attempt.attemptId, json(attempt)]);
  }
}
