import { canonicalJson } from '../canonical-json';
import { ConflictError, NotFoundError } from '../errors/integration-error';
import type { ArtifactRef } from '../records/artifact-ref';
import type { AggregatorFence, Attempt, AttemptPatch } from '../records/attempt';
import { eventIdentity, type Event } from '../records/event';
import type { Run, RunPatch } from '../records/run';
import type { TargetDescriptor } from '../records/target-descriptor';
import type { AttemptCompletion, AttemptCompletionResult, AttemptStart, LedgerStore, RunFilter } from '../stores/ledger-store';
import { checkFence } from '../stores/fence';
import { frozenJsonCopy } from '../frozen-json';
import { copy, journaledPush, journaledSet } from './journal';
import { MemoryAccess } from './state';

/** An event's position within its run (positions are indexed per run). */
const positionKey = (e: Pick<Event, 'attempt' | 'seq'>) => `${e.attempt ?? 0}:${e.seq}`;
const idempotencyKeyOf = (run: Run) => `${run.capabilityId}|${run.idempotencyKey}`;

/**
 * The stored record (frozen already) with the patch applied, as a durable tier would: values are
 * copied, and a key whose value JSON drops (undefined) is removed.
 */
function withPatch<T extends object>(current: T, patch: Partial<T>): T {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const key of Object.keys(patch)) {
    const value = frozenJsonCopy((patch as Record<string, unknown>)[key]);
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return Object.freeze(next) as T;
}

interface EventPlan {
  fresh: Event[];
  adopt: Attempt[];
}

export class MemoryLedgerStore extends MemoryAccess implements LedgerStore {
  putRun(run: Run): Promise<void> {
    return this.guard(() => this.insertRun(this.checkNewRun(run)));
  }

  fetchRun(runId: string): Promise<Run | null> {
    return this.guard(() => copy(this.state.runs.get(runId) ?? null));
  }

  updateRun(runId: string, patch: RunPatch): Promise<Run> {
    return this.guard(() => this.replaceRun(this.patchedRun(runId, patch)));
  }

  findRunByIdempotencyKey(capabilityId: string, idempotencyKey: string): Promise<Run | null> {
    return this.guard(() => {
      const runId = this.state.idempotency.get(`${capabilityId}|${idempotencyKey}`);
      return runId ? copy(this.state.runs.get(runId) ?? null) : null;
    });
  }

  listRuns(filter: RunFilter = {}): Promise<Run[]> {
    return this.guard(() => {
      const runs = this.state.runOrder
        .map((id) => this.state.runs.get(id)!)
        .filter(
          (r) =>
            (!filter.capabilityId || r.capabilityId === filter.capabilityId) &&
            (!filter.connectorId || r.connectorId === filter.connectorId) &&
            (!filter.status || r.status === filter.status) &&
            (!filter.tenantId || r.tenantId === filter.tenantId),
        )
        .sort((a, b) => (a.createdAt === b.createdAt ? (a.runId < b.runId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
      return copy(filter.limit ? runs.slice(0, filter.limit) : runs);
    });
  }

  putAttempt(attempt: Attempt): Promise<void> {
    return this.guard(() => this.insertAttempt(this.checkNewAttempt(attempt)));
  }

  fetchAttempt(attemptId: string): Promise<Attempt | null> {
    return this.guard(() => copy(this.state.attempts.get(attemptId) ?? null));
  }

  listAttempts(runId: string): Promise<Attempt[]> {
    return this.guard(() =>
      copy((this.state.attemptsByRun.get(runId) ?? []).map((id) => this.state.attempts.get(id)!).sort((a, b) => a.attempt - b.attempt)),
    );
  }

  updateAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt> {
    return this.guard(() => this.replaceAttempt(this.patchedAttempt(attemptId, patch, fence)));
  }

  appendEvents(events: Event[], fence?: AggregatorFence): Promise<void> {
    return this.guard(() => this.applyEvents(this.planEvents(events, fence)));
  }

  listEvents(runId: string): Promise<Event[]> {
    return this.guard(() =>
      copy(
        [...(this.state.events.get(runId) ?? [])].sort(
          (a, b) => (a.attempt ?? 0) - (b.attempt ?? 0) || a.seq - b.seq,
        ),
      ),
    );
  }

  nextSeq(runId: string, attemptId: string | null): Promise<number> {
    return this.guard(() => {
      let next = 0;
      for (const event of this.state.events.get(runId) ?? []) {
        if (event.attemptId === attemptId && event.seq >= next) next = event.seq + 1;
      }
      return next;
    });
  }

  /**
   * The composites check everything first and then write, synchronously: nothing can fail half-way,
   * so outside a transaction they need no journal, and inside one they journal like single calls.
   */
  startAttempt(start: AttemptStart): Promise<void> {
    return this.guard(() => {
      const run = this.checkNewRun(start.run);
      const attempt = this.checkNewAttempt(start.attempt);
      const plan = this.planEvents(start.events, start.fence, attempt);
      this.insertRun(run);
      this.insertAttempt(attempt);
      this.applyEvents(plan);
    });
  }

  completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult> {
    return this.guard((): AttemptCompletionResult => {
      const ids = this.state.attemptsByRun.get(completion.runId) ?? [];
      const latest = ids.reduce((max, id) => Math.max(max, this.state.attempts.get(id)!.attempt), completion.expectLatestAttempt);
      if (latest > completion.expectLatestAttempt) return { applied: false, latestAttempt: latest };
      const artifacts = completion.artifacts.map((artifact) => copy(artifact));
      const plan = this.planEvents(completion.events, completion.fence);
      const attempt = this.patchedAttempt(completion.attemptId, completion.attemptPatch, completion.fence);
      const run = this.patchedRun(completion.runId, completion.runPatch);
      for (const artifact of artifacts) this.storeArtifact(artifact);
      this.applyEvents(plan);
      return { applied: true, attempt: this.replaceAttempt(attempt), run: this.replaceRun(run) };
    });
  }

  putArtifact(artifact: ArtifactRef): Promise<void> {
    return this.guard(() => this.storeArtifact(copy(artifact)));
  }

  fetchArtifact(artifactId: string): Promise<ArtifactRef | null> {
    return this.guard(() => copy(this.state.artifacts.get(artifactId) ?? null));
  }

  listArtifacts(runId: string): Promise<ArtifactRef[]> {
    return this.guard(() => copy((this.state.artifactsByRun.get(runId) ?? []).map((id) => this.state.artifacts.get(id)!)));
  }

  putTarget(target: TargetDescriptor): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.targets, target.targetId, copy(target)));
  }

  fetchTarget(targetId: string): Promise<TargetDescriptor | null> {
    return this.guard(() => copy(this.state.targets.get(targetId) ?? null));
  }

  listTargets(): Promise<TargetDescriptor[]> {
    return this.guard(() => copy([...this.state.targets.values()].sort((a, b) => (a.targetId < b.targetId ? -1 : 1))));
  }

  // Checks return the frozen record to write and throw before anything is written; writes never throw.

  private checkNewRun(run: Run): Run {
    if (this.state.runs.has(run.runId)) throw new ConflictError('duplicate_record', `run ${run.runId} already exists`);
    if (run.idempotencyKey && this.state.idempotency.has(idempotencyKeyOf(run))) {
      throw new ConflictError('duplicate_record', `a run with idempotency key ${run.idempotencyKey} already exists`, {
        details: { capabilityId: run.capabilityId, idempotencyKey: run.idempotencyKey },
      });
    }
    return copy(run);
  }

  private insertRun(run: Run): void {
    journaledSet(this.journal, this.state.runs, run.runId, run);
    journaledPush(this.journal, this.state.runOrder, run.runId);
    if (run.idempotencyKey) journaledSet(this.journal, this.state.idempotency, idempotencyKeyOf(run), run.runId);
  }

  private patchedRun(runId: string, patch: RunPatch): Run {
    const current = this.state.runs.get(runId);
    if (!current) throw new NotFoundError('unknown_run', `no run ${runId}`);
    return withPatch(current, patch);
  }

  private replaceRun(run: Run): Run {
    journaledSet(this.journal, this.state.runs, run.runId, run);
    return run;
  }

  private checkNewAttempt(attempt: Attempt): Attempt {
    if (this.state.attempts.has(attempt.attemptId)) throw new ConflictError('duplicate_record', `attempt ${attempt.attemptId} already exists`);
    return copy(attempt);
  }

  private insertAttempt(attempt: Attempt): void {
    journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
    let ids = this.state.attemptsByRun.get(attempt.runId);
    if (!ids) {
      ids = [];
      journaledSet(this.journal, this.state.attemptsByRun, attempt.runId, ids);
    }
    journaledPush(this.journal, ids, attempt.attemptId);
  }

  private patchedAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Attempt {
    const current = this.state.attempts.get(attemptId);
    if (!current) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
    checkFence(current, fence);
    return withPatch(current, { ...patch, aggregatorId: fence.aggregatorId, aggregatorEpoch: fence.aggregatorEpoch });
  }

  private replaceAttempt(attempt: Attempt): Attempt {
    journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
    return attempt;
  }

  /**
   * Drops events already stored at their position (identical: idempotent; different:
   * `event_conflict`) and checks the fence on every attempt before any adopts a newer epoch.
   * `pending` is an attempt being inserted in the same call.
   */
  private planEvents(events: Event[], fence: AggregatorFence | undefined, pending?: Attempt): EventPlan {
    const fresh: Event[] = [];
    const batch = new Map<string, Event>();
    for (const event of events) {
      const position = positionKey(event);
      const existing = this.state.eventPositions.get(event.runId)?.get(position) ?? batch.get(`${event.runId}|${position}`);
      if (existing) {
        if (canonicalJson(eventIdentity(existing)) !== canonicalJson(eventIdentity(event))) {
          throw new ConflictError('event_conflict', `a different event already holds ${event.runId} ${event.attemptId ?? 'run'} seq ${event.seq}`, {
            details: { runId: event.runId, attemptId: event.attemptId, seq: event.seq },
          });
        }
        continue;
      }
      const stored = copy(event);
      batch.set(`${event.runId}|${position}`, stored);
      fresh.push(stored);
    }
    const adopt: Attempt[] = [];
    if (fence) {
      for (const attemptId of new Set(fresh.map((e) => e.attemptId).filter((id): id is string => id !== null))) {
        const attempt = pending?.attemptId === attemptId ? pending : this.state.attempts.get(attemptId);
        if (!attempt) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
        checkFence(attempt, fence);
        if (attempt.aggregatorEpoch !== fence.aggregatorEpoch) adopt.push(Object.freeze({ ...attempt, ...fence }));
      }
    }
    return { fresh, adopt };
  }

  private applyEvents({ fresh, adopt }: EventPlan): void {
    for (const attempt of adopt) journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
    for (const event of fresh) {
      let positions = this.state.eventPositions.get(event.runId);
      if (!positions) {
        positions = new Map();
        journaledSet(this.journal, this.state.eventPositions, event.runId, positions);
      }
      journaledSet(this.journal, positions, positionKey(event), event);
      let list = this.state.events.get(event.runId);
      if (!list) {
        list = [];
        journaledSet(this.journal, this.state.events, event.runId, list);
      }
      journaledPush(this.journal, list, event);
    }
  }

  private storeArtifact(artifact: ArtifactRef): void {
    const isNew = !this.state.artifacts.has(artifact.artifactId);
    journaledSet(this.journal, this.state.artifacts, artifact.artifactId, artifact);
    if (isNew) {
      let ids = this.state.artifactsByRun.get(artifact.runId);
      if (!ids) {
        ids = [];
        journaledSet(this.journal, this.state.artifactsByRun, artifact.runId, ids);
      }
      journaledPush(this.journal, ids, artifact.artifactId);
    }
  }
}
