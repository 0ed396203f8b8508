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
import { SqliteAccess, json, parseRecord, parseRecords } from './sqlite-access';

const positionKey = (e: Pick<Event, 'runId' | 'attemptId' | 'seq'>) => `${e.runId}|${e.attemptId ?? ''}|${e.seq}`;

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
    if (events.length === 1 && !fence) return this.write(() => this.append(events));
    return this.write(() => this.h.atomic(() => this.append(events, fence)));
  }

  startAttempt(start: AttemptStart): Promise<void> {
    return this.write(() =>
      this.h.atomic(() => {
        this.insertRun(start.run);
        this.insertAttempt(start.attempt);
        this.append(start.events, start.fence);
      }),
    );
  }

  completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult> {
    return this.write(() =>
      this.h.atomic((): AttemptCompletionResult => {
        const { latest } = this.h.stmt('SELECT MAX(attempt) AS latest FROM attempts WHERE run_id = ?').get(completion.runId) as { latest: number | null };
        if (latest !== null && latest > completion.expectLatestAttempt) return { applied: false, latestAttempt: latest };
        for (const artifact of completion.artifacts) this.upsertArtifact(artifact);
        this.append(completion.events, completion.fence);
        const attempt = this.mergeAttempt(completion.attemptId, completion.attemptPatch, completion.fence);
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
      .run(run.runId, run.capabilityId, run.connectorId, run.status, run.tenantId ?? null, run.idempotencyKey || null, run.createdAt, json(run), run.sealedInput != null ? 1 : 0);
    if (inserted.changes === 0) {
      if (this.h.stmt('SELECT 1 FROM runs WHERE run_id = ?').get(run.runId)) {
        throw new ConflictError('duplicate_record', `run ${run.runId} already exists`);
      }
      throw new ConflictError('duplicate_record', `a run with idempotency key ${run.idempotencyKey} already exists`, {
        details: { capabilityId: run.capabilityId, idempotencyKey: run.idempotencyKey },
      });
    }
  }

  /** Read, merge, write (the caller makes it atomic); the record is serialised once. */
  private mergeRun(runId: string, patch: RunPatch): Run {
    const current = parseRecord<Run>(this.h.stmt('SELECT record FROM runs WHERE run_id = ?').get(runId) as { record: string } | undefined);
    if (!current) throw new NotFoundError('unknown_run', `no run ${runId}`);
    const text = json({ ...current, ...patch });
    const next = JSON.parse(text) as Run;
    this.h.stmt('UPDATE runs SET status = ?, record = ? WHERE run_id = ?').run(next.status, text, runId);
    return next;
  }

  private insertAttempt(attempt: Attempt): void {
    const inserted = this.h
      .stmt('INSERT INTO attempts (attempt_id, run_id, attempt, record) VALUES (?, ?, ?, ?) ON CONFLICT (attempt_id) DO NOTHING')
      .run(attempt.attemptId, attempt.runId, attempt.attempt, json(attempt));
    if (inserted.changes === 0) throw new ConflictError('duplicate_record', `attempt ${attempt.attemptId} already exists`);
  }

  private mergeAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Attempt {
    const current = this.readAttempt(attemptId);
    if (!current) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
    checkFence(current, fence);
    const text = json({ ...current, ...patch, aggregatorId: fence.aggregatorId, aggregatorEpoch: fence.aggregatorEpoch });
    this.h.stmt('UPDATE attempts SET record = ? WHERE attempt_id = ?').run(text, attemptId);
    return JSON.parse(text) as Attempt;
  }

  /**
   * Insert-first: each event goes in with ON CONFLICT DO NOTHING; only a taken position is read
   * back and compared (identical → no-op, different → event_conflict). Runs inside `atomic`, so a
   * rejected batch (conflict, fence) writes nothing.
   */
  private append(events: Event[], fence?: AggregatorFence): void {
    const batch = new Map<string, Event>();
    const fencedAttempts = new Set<string>();
    const insert = this.h.stmt(
      'INSERT INTO events (run_id, attempt_key, attempt_id, attempt, seq, record) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, attempt_key, seq) DO NOTHING',
    );
    for (const event of events) {
      const key = positionKey(event);
      const inBatch = batch.get(key);
      if (!inBatch) {
        const inserted = insert.run(event.runId, event.attemptId ?? '', event.attemptId ?? null, event.attempt ?? null, event.seq, json(event));
        if (inserted.changes === 1) {
          batch.set(key, event);
          if (event.attemptId !== null) fencedAttempts.add(event.attemptId);
          continue;
        }
      }
      const existing =
        inBatch ??
        parseRecord<Event>(
          this.h.stmt('SELECT record FROM events WHERE run_id = ? AND attempt_key = ? AND seq = ?').get(event.runId, event.attemptId ?? '', event.seq) as
            | { record: string }
            | undefined,
        )!;
      if (canonicalJson(eventIdentity(existing)) !== canonicalJson(eventIdentity(event))) {
        throw new ConflictError('event_conflict', `a different event already holds ${event.runId} ${event.attemptId ?? 'run'} seq ${event.seq}`, {
          details: { runId: event.runId, attemptId: event.attemptId, seq: event.seq },
        });
      }
    }
    if (!fence) return;
    for (const attemptId of fencedAttempts) {
      const attempt = this.readAttempt(attemptId);
      if (!attempt) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
      checkFence(attempt, fence);
      if (attempt.aggregatorEpoch !== fence.aggregatorEpoch) this.writeAttempt({ ...attempt, ...fence });
    }
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
