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
import { SqliteAccess, json, parseRecord, parseRecords } from './sqlite-access';

export class SqliteLedgerStore extends SqliteAccess implements LedgerStore {
  putRun(run: Run): Promise<void> {
    return this.write(() => this.insertRun(run));
  }

  fetchRun(runId: string): Promise<Run | null> {
    return this.op(() => parseRecord<Run>(this.h.stmt('SELECT record FROM runs WHERE run_id = ?').get(runId) as { record: string } | undefined));
  }

  updateRun(runId: string, patch: RunPatch): Promise<Run> {
    return this.write(() => this.h.atomic(() => this.mergeRun(runId, patch)));
  }

  findRunByIdempotencyKey(capabilityId: string, idempotencyKey: string): Promise<Run | null> {
    return this.op(() =>
      parseRecord<Run>(
        this.h
          .stmt('SELECT record FROM runs WHERE capability_id = ? AND idempotency_key = ? ORDER BY rowid DESC LIMIT 1')
          .get(capabilityId, idempotencyKey) as { record: string } | undefined,
      ),
    );
  }

  listRuns(filter: RunFilter = {}): Promise<Run[]> {
    return this.op(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      for (const [column, value] of [
        ['capability_id', filter.capabilityId],
        ['connector_id', filter.connectorId],
        ['status', filter.status],
        ['tenant_id', filter.tenantId],
      ] as const) {
        if (value) {
          where.push(`${column} = ?`);
          params.push(value);
        }
      }
      if (filter.limit) params.push(filter.limit);
      const sql = `SELECT record FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, run_id${filter.limit ? ' LIMIT ?' : ''}`;
      return parseRecords<Run>(this.h.stmt(sql).all(...params));
    });
  }

  listSealedRuns(afterRunId: string | null, limit: number): Promise<Run[]> {
    return this.op(() =>
      parseRecords<Run>(
        this.h
          .stmt(`SELECT record FROM runs WHERE has_sealed_input = 1 AND run_id > ? ORDER BY run_id LIMIT ?`)
          .all(afterRunId ?? '', limit),
      ),
    );
  }

  putAttempt(attempt: Attempt): Promise<void> {
    return this.write(() => this.insertAttempt(attempt));
  }

  fetchAttempt(attemptId: string): Promise<Attempt | null> {
    return this.op(() => this.readAttempt(attemptId));
  }

  listAttempts(runId: string): Promise<Attempt[]> {
    return this.op(() => parseRecords<Attempt>(this.h.stmt('SELECT record FROM attempts WHERE run_id = ? ORDER BY attempt, rowid').all(runId)));
  }

  updateAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt> {
    return this.write(() => this.h.atomic(() => this.mergeAttempt(attemptId, patch, fence)));
  }

  appendEvents(events: Event[], fence?: AggregatorFence): Promise<void> {
    // One unfenced event is one INSERT (or a read on a taken position): atomic without a savepoint.
    if (events.length === 1 && !fence) return this.write(() => void this.append(events));
    return this.write(() => this.h.atomic(() => void this.append(events, fence)));
  }

  startAttempt(start: AttemptStart): Promise<void> {
    return this.write(() =>
      this.h.atomic(() => {
        this.insertRun(start.run);
        this.insertAttempt(start.attempt);
        // The attempt just inserted is fenced as it was given, not read back.
        this.append(start.events, start.fence, (attemptId) => (attemptId === start.attempt.attemptId ? start.attempt : this.readAttempt(attemptId)));
      }),
    );
  }

  completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult> {
    return this.write(() =>
      this.h.atomic((): AttemptCompletionResult => {
        const { latest } = this.h.stmt('SELECT MAX(attempt) AS latest FROM attempts WHERE run_id = ?').get(completion.runId) as { latest: number | null };
        const superseded = ledgerRules.supersededCompletion(latest, completion.expectLatestAttempt);
        if (superseded) return superseded;
        for (const artifact of completion.artifacts) this.upsertArtifact(artifact);
        // The completing attempt is read once, for the events' fence and for its own patch.
        let own: Attempt | null | undefined;
        const attemptOf = (attemptId: string) => (attemptId === completion.attemptId ? (own ??= this.readAttempt(attemptId)) : this.readAttempt(attemptId));
        const adopted = this.append(completion.events, completion.fence, attemptOf);
        const current = adopted.find((a) => a.attemptId === completion.attemptId) ?? attemptOf(completion.attemptId);
        const attempt = this.mergeAttempt(completion.attemptId, completion.attemptPatch, completion.fence, current);
        const run = this.mergeRun(completion.runId, completion.runPatch);
        return { applied: true, run, attempt };
      }),
    );
  }

  listEvents(runId: string): Promise<Event[]> {
    return this.op(() =>
      parseRecords<Event>(this.h.stmt('SELECT record FROM events WHERE run_id = ? ORDER BY COALESCE(attempt, 0), seq, ord').all(runId)),
    );
  }

  nextSeq(runId: string, attemptId: string | null): Promise<number> {
    return this.op(() => {
      const row = this.h
        .stmt('SELECT MAX(seq) AS seq FROM events WHERE run_id = ? AND attempt_key = ? AND attempt_id IS ?')
        .get(runId, attemptId ?? '', attemptId) as { seq: number | null };
      return row.seq === null ? 0 : row.seq + 1;
    });
  }

  putArtifact(artifact: ArtifactRef): Promise<void> {
    return this.write(() => this.upsertArtifact(artifact));
  }

  fetchArtifact(artifactId: string): Promise<ArtifactRef | null> {
    return this.op(() =>
      parseRecord<ArtifactRef>(this.h.stmt('SELECT record FROM artifacts WHERE artifact_id = ?').get(artifactId) as { record: string } | undefined),
    );
  }

  listArtifacts(runId: string): Promise<ArtifactRef[]> {
    return this.op(() => parseRecords<ArtifactRef>(this.h.stmt('SELECT record FROM artifacts WHERE run_id = ? ORDER BY rowid').all(runId)));
  }

  putTarget(target: TargetDescriptor): Promise<void> {
    return this.write(() => {
      this.h
        .stmt('INSERT INTO targets (target_id, record) VALUES (?, ?) ON CONFLICT (target_id) DO UPDATE SET record = excluded.record')
        .run(target.targetId, json(target));
    });
  }

  fetchTarget(targetId: string): Promise<TargetDescriptor | null> {
    return this.op(() =>
      parseRecord<TargetDescriptor>(this.h.stmt('SELECT record FROM targets WHERE target_id = ?').get(targetId) as { record: string } | undefined),
    );
  }

  listTargets(): Promise<TargetDescriptor[]> {
    return this.op(() => parseRecords<TargetDescriptor>(this.h.stmt('SELECT record FROM targets ORDER BY target_id').all()));
  }

  private insertRun(run: Run): void {
    const inserted = this.h
      .stmt(
        `INSERT INTO runs (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record, has_sealed_input)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(...ledgerRules.runIndexColumns(run), json(run), ledgerRules.hasSealedInput(run) ? 1 : 0);
    if (inserted.changes === 0) throw ledgerRules.duplicateRun(run, !!this.h.stmt('SELECT 1 FROM runs WHERE run_id = ?').get(run.runId));
  }

  /** Read, merge, write (the caller makes it atomic); the record is serialised once. */
  private mergeRun(runId: string, patch: RunPatch): Run {
    const current = parseRecord<Run>(this.h.stmt('SELECT record FROM runs WHERE run_id = ?').get(runId) as { record: string } | undefined);
    const text = json(ledgerRules.patchedRun(current, runId, patch));
    const next = JSON.parse(text) as Run;
    this.h.stmt('UPDATE runs SET status = ?, record = ? WHERE run_id = ?').run(next.status, text, runId);
    return next;
  }

  private insertAttempt(attempt: Attempt): void {
    const inserted = this.h
      .stmt('INSERT INTO attempts (attempt_id, run_id, attempt, record) VALUES (?, ?, ?, ?) ON CONFLICT (attempt_id) DO NOTHING')
      .run(attempt.attemptId, attempt.runId, attempt.attempt, json(attempt));
    if (inserted.changes === 0) throw ledgerRules.duplicateAttempt(attempt.attemptId);
  }

  private mergeAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence, current = this.readAttempt(attemptId)): Attempt {
    const text = json(ledgerRules.patchedAttempt(current, attemptId, patch, fence));
    this.h.stmt('UPDATE attempts SET record = ? WHERE attempt_id = ?').run(text, attemptId);
    return JSON.parse(text) as Attempt;
  }

  /**
   * Insert-first: the first event at each position goes in with ON CONFLICT DO NOTHING; only a
   * taken position is read back for the shared plan to compare. Runs inside `atomic` (a SAVEPOINT
   * when nested), so a rejected batch (conflict, fence) writes nothing. Returns the attempts that
   * adopted the fence's newer epoch, as written.
   */
  private append(events: Event[], fence?: AggregatorFence, attemptOf = (attemptId: string) => this.readAttempt(attemptId)): Attempt[] {
    const insert = this.h.stmt(
      'INSERT INTO events (run_id, attempt_key, attempt_id, attempt, seq, record) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, attempt_key, seq) DO NOTHING',
    );
    const fresh = ledgerRules.planEventBatch(events, (event) => {
      if (insert.run(event.runId, event.attemptId ?? '', event.attemptId ?? null, event.attempt ?? null, event.seq, json(event)).changes === 1) return null;
      return parseRecord<Event>(
        this.h.stmt('SELECT record FROM events WHERE run_id = ? AND attempt_key = ? AND seq = ?').get(event.runId, event.attemptId ?? '', event.seq) as
          | { record: string }
          | undefined,
      );
    });
    if (!fence) return [];
    const adopted = ledgerRules.fenceEventAttempts(fresh, fence, attemptOf);
    for (const attempt of adopted) this.writeAttempt(attempt);
    return adopted;
  }

  private upsertArtifact(artifact: ArtifactRef): void {
    this.h
      .stmt('INSERT INTO artifacts (artifact_id, run_id, record) VALUES (?, ?, ?) ON CONFLICT (artifact_id) DO UPDATE SET record = excluded.record')
      .run(artifact.artifactId, artifact.runId, json(artifact));
  }

  private readAttempt(attemptId: string): Attempt | null {
    return parseRecord<Attempt>(this.h.stmt('SELECT record FROM attempts WHERE attempt_id = ?').get(attemptId) as { record: string } | undefined);
  }

  private writeAttempt(attempt: Attempt): void {
    this.h.stmt('UPDATE attempts SET record = ? WHERE attempt_id = ?').run(json(attempt), attempt.attemptId);
  }
}
