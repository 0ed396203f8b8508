import {
  ledgerRules,
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
import { PgAccess, first, json, records } from './pg-context';
import { completeInOneStatement } from './pg-complete-statement';
import { appendEventBatch } from './pg-events';
import { isUniqueViolation, startIsClean, startParams, startStatement } from './pg-start-statement';

export class PgLedgerStore extends PgAccess implements LedgerStore {
  private readonly tables = (table: string): string => this.t(table);

  async putRun(run: Run): Promise<void> {
    await this.insertRun(this.q, run);
  }

  async fetchRun(runId: string): Promise<Run | null> {
    return first<Run>((await this.q.query(`SELECT record FROM ${this.t('runs')} WHERE run_id = $1`, [runId])).rows);
  }

  async updateRun(runId: string, patch: RunPatch): Promise<Run> {
    return this.q.atomic((q) => this.mergeRun(q, runId, patch));
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
    await this.insertAttempt(this.q, attempt);
  }

  async fetchAttempt(attemptId: string): Promise<Attempt | null> {
    return first<Attempt>((await this.q.query(`SELECT record FROM ${this.t('attempts')} WHERE attempt_id = $1`, [attemptId])).rows);
  }

  async listAttempts(runId: string): Promise<Attempt[]> {
    return records<Attempt>((await this.q.query(`SELECT record FROM ${this.t('attempts')} WHERE run_id = $1 ORDER BY attempt`, [runId])).rows);
  }

  async updateAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt> {
    return this.q.atomic((q) => this.mergeAttempt(q, attemptId, patch, fence));
  }

  /** Atomic (a SAVEPOINT inside a caller's transaction): a rejected batch writes nothing. */
  async appendEvents(events: Event[], fence?: AggregatorFence): Promise<void> {
    if (events.length === 0) return;
    // One unfenced event never throws after inserting (a taken position inserted nothing): it
    // needs neither a transaction nor a savepoint.
    if (events.length === 1 && !fence) return appendEventBatch(this.q, this.tables, events);
    await this.q.atomic((q) => appendEventBatch(q, this.tables, events, fence), { savepoint: true });
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
   * putRun, putAttempt, appendEvents in one transaction (a SAVEPOINT inside a caller's). Outside a
   * transaction the clean case is one statement (`startStatement`): its plain INSERTs fail as a
   * whole on any taken key (23505), and then the composed calls give the exact error.
   */
  async startAttempt(start: AttemptStart): Promise<void> {
    if (!this.q.inTransaction && startIsClean(start)) {
      try {
        await this.q.query(startStatement(this.tables), startParams(start));
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    await this.q.atomic(async (q) => {
      await this.insertRun(q, start.run);
      await this.insertAttempt(q, start.attempt);
      await appendEventBatch(q, this.tables, start.events, start.fence);
    }, { savepoint: true });
  }

  /**
   * The composed calls' outcome and errors in one transaction (a SAVEPOINT inside a caller's):
   * one statement locks the attempt and the run and reads the latest attempt number, the event
   * batch follows, then the merged records are written in one statement. Outside a transaction
   * the clean case is tried first as one statement (`completeInOneStatement`).
   */
  async completeAttempt(c: AttemptCompletion): Promise<AttemptCompletionResult> {
    if (!this.q.inTransaction) {
      const done = await completeInOneStatement(this.q, this.tables, c);
      if (done) return done;
    }
    return this.q.atomic(async (q): Promise<AttemptCompletionResult> => {
      const { rows } = await q.query<{ attempt: Attempt | null; run: Run | null; latest: number | null }>(
        `SELECT (SELECT record FROM ${this.t('attempts')} WHERE attempt_id = $2 FOR UPDATE) AS attempt,
                (SELECT record FROM ${this.t('runs')} WHERE run_id = $1 FOR UPDATE) AS run,
                (SELECT MAX(attempt) FROM ${this.t('attempts')} WHERE run_id = $1) AS latest`,
        [c.runId, c.attemptId],
      );
      const locked = rows[0];
      const superseded = ledgerRules.supersededCompletion(locked?.latest, c.expectLatestAttempt);
      if (superseded) return superseded;
      for (const artifact of c.artifacts) await this.upsertArtifact(q, artifact);
      await appendEventBatch(q, this.tables, c.events, c.fence);
      // The batch may only have adopted the fence's epoch on the attempt, which the merge sets anyway.
      const attemptText = json(ledgerRules.patchedAttempt(locked?.attempt, c.attemptId, c.attemptPatch, c.fence));
      const runText = json(ledgerRules.patchedRun(locked?.run, c.runId, c.runPatch));
      const run = JSON.parse(runText) as Run;
      await q.query(
        `WITH a AS (UPDATE ${this.t('attempts')} SET record = $2::json WHERE attempt_id = $1)
         UPDATE ${this.t('runs')} SET status = $4, record = $5::json WHERE run_id = $3`,
        [c.attemptId, attemptText, c.runId, run.status, runText],
      );
      return { applied: true, run, attempt: JSON.parse(attemptText) as Attempt };
    }, { savepoint: true });
  }

  async putArtifact(artifact: ArtifactRef): Promise<void> {
    await this.upsertArtifact(this.q, artifact);
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

  private async insertRun(q: Executor, run: Run): Promise<void> {
    const inserted = await q.query(
      `INSERT INTO ${this.t('runs')} (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record, has_sealed_input)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9) ON CONFLICT DO NOTHING`,
      [...ledgerRules.runIndexColumns(run), json(run), ledgerRules.hasSealedInput(run)],
    );
    if (inserted.rowCount !== 0) return;
    const existing = await q.query(`SELECT 1 FROM ${this.t('runs')} WHERE run_id = $1`, [run.runId]);
    throw ledgerRules.duplicateRun(run, !!existing.rowCount);
  }

  /** Locks, merges and writes the run (the caller makes it atomic); the record is serialised once. */
  private async mergeRun(q: Executor, runId: string, patch: RunPatch): Promise<Run> {
    const current = first<Run>((await q.query(`SELECT record FROM ${this.t('runs')} WHERE run_id = $1 FOR UPDATE`, [runId])).rows);
    const text = json(ledgerRules.patchedRun(current, runId, patch));
    const next = JSON.parse(text) as Run;
    await q.query(`UPDATE ${this.t('runs')} SET status = $2, record = $3::json WHERE run_id = $1`, [runId, next.status, text]);
    return next;
  }

  private async insertAttempt(q: Executor, attempt: Attempt): Promise<void> {
    const inserted = await q.query(
      `INSERT INTO ${this.t('attempts')} (attempt_id, run_id, attempt, record) VALUES ($1, $2, $3, $4::json) ON CONFLICT DO NOTHING`,
      [attempt.attemptId, attempt.runId, attempt.attempt, json(attempt)],
    );
    if (inserted.rowCount === 0) throw ledgerRules.duplicateAttempt(attempt.attemptId);
  }

  /** Locks, fence-checks, merges and writes the attempt (the caller makes it atomic). */
  private async mergeAttempt(q: Executor, attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt> {
    const current = first<Attempt>((await q.query(`SELECT record FROM ${this.t('attempts')} WHERE attempt_id = $1 FOR UPDATE`, [attemptId])).rows);
    const text = json(ledgerRules.patchedAttempt(current, attemptId, patch, fence));
    await q.query(`UPDATE ${this.t('attempts')} SET record = $2::json WHERE attempt_id = $1`, [attemptId, text]);
    return JSON.parse(text) as Attempt;
  }

  private async upsertArtifact(q: Executor, artifact: ArtifactRef): Promise<void> {
    await q.query(
      `INSERT INTO ${this.t('artifacts')} (artifact_id, run_id, record) VALUES ($1, $2, $3::json)
       ON CONFLICT (artifact_id) DO UPDATE SET record = excluded.record`,
      [artifact.artifactId, artifact.runId, json(artifact)],
    );
  }
}
