import { canonicalJson } from '../canonical-json';
import { ConflictError, NotFoundError } from '../errors/integration-error';
import type { ArtifactRef } from '../records/artifact-ref';
import type { AggregatorFence, Attempt, AttemptPatch } from '../records/attempt';
import { eventIdentity, type Event } from '../records/event';
import type { Run, RunPatch } from '../records/run';
import type { TargetDescriptor } from '../records/target-descriptor';
import type { AttemptCompletion, AttemptCompletionResult, AttemptStart, LedgerStore, RunFilter } from '../stores/ledger-store';
import { checkFence } from '../stores/fence';
import { copy, Journal, journaledPush, journaledSet } from './journal';
import { MemoryAccess } from './state';

/** An event's position within its run (positions are indexed per run). */
const positionKey = (e: Pick<Event, 'attempt' | 'seq'>) => `${e.attempt ?? 0}:${e.seq}`;

export class MemoryLedgerStore extends MemoryAccess implements LedgerStore {
  putRun(run: Run): Promise<void> {
    return this.guard(() => {
      if (this.state.runs.has(run.runId)) throw new ConflictError('duplicate_record', `run ${run.runId} already exists`);
      if (run.idempotencyKey && this.state.idempotency.has(`${run.capabilityId}|${run.idempotencyKey}`)) {
        throw new ConflictError('duplicate_record', `a run with idempotency key ${run.idempotencyKey} already exists`, {
          details: { capabilityId: run.capabilityId, idempotencyKey: run.idempotencyKey },
        });
      }
      journaledSet(this.journal, this.state.runs, run.runId, copy(run));
      journaledPush(this.journal, this.state.runOrder, run.runId);
      if (run.idempotencyKey) journaledSet(this.journal, this.state.idempotency, `${run.capabilityId}|${run.idempotencyKey}`, run.runId);
    });
  }

  fetchRun(runId: string): Promise<Run | null> {
    return this.guard(() => copy(this.state.runs.get(runId) ?? null));
  }

  updateRun(runId: string, patch: RunPatch): Promise<Run> {
    return this.guard(() => {
      const current = this.state.runs.get(runId);
      if (!current) throw new NotFoundError('unknown_run', `no run ${runId}`);
      const next: Run = copy({ ...current, ...patch });
      journaledSet(this.journal, this.state.runs, runId, next);
      return copy(next);
    });
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
    return this.guard(() => {
      if (this.state.attempts.has(attempt.attemptId)) {
        throw new ConflictError('duplicate_record', `attempt ${attempt.attemptId} already exists`);
      }
      journaledSet(this.journal, this.state.attempts, attempt.attemptId, copy(attempt));
      let ids = this.state.attemptsByRun.get(attempt.runId);
      if (!ids) {
        ids = [];
        journaledSet(this.journal, this.state.attemptsByRun, attempt.runId, ids);
      }
      journaledPush(this.journal, ids, attempt.attemptId);
    });
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
    return this.guard(() => {
      const current = this.state.attempts.get(attemptId);
      if (!current) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
      checkFence(current, fence);
      const next: Attempt = copy({ ...current, ...patch, aggregatorId: fence.aggregatorId, aggregatorEpoch: fence.aggregatorEpoch });
      journaledSet(this.journal, this.state.attempts, attemptId, next);
      return copy(next);
    });
  }

  appendEvents(events: Event[], fence?: AggregatorFence): Promise<void> {
    return this.guard(() => {
      const fresh: Event[] = [];
      const batch = new Map<string, Event>();
      for (const event of events) {
        const key = `${event.runId}|${positionKey(event)}`;
        const existing = this.state.eventPositions.get(event.runId)?.get(positionKey(event)) ?? batch.get(key);
        if (existing) {
          if (canonicalJson(eventIdentity(existing)) !== canonicalJson(eventIdentity(event))) {
            throw new ConflictError('event_conflict', `a different event already holds ${event.runId} ${event.attemptId ?? 'run'} seq ${event.seq}`, {
              details: { runId: event.runId, attemptId: event.attemptId, seq: event.seq },
            });
          }
          continue;
        }
        batch.set(key, event);
        fresh.push(event);
      }
      if (fence) {
        // Check every attempt before adopting a newer epoch on any, so a rejected batch writes nothing.
        const adopt: Attempt[] = [];
        for (const attemptId of new Set(fresh.map((e) => e.attemptId).filter((id): id is string => id !== null))) {
          const attempt = this.state.attempts.get(attemptId);
          if (!attempt) throw new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);
          checkFence(attempt, fence);
          if (attempt.aggregatorEpoch !== fence.aggregatorEpoch) adopt.push({ ...attempt, ...fence });
        }
        for (const attempt of adopt) journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
      }
      for (const event of fresh) {
        const stored = copy(event);
        let positions = this.state.eventPositions.get(event.runId);
        if (!positions) {
          positions = new Map();
          journaledSet(this.journal, this.state.eventPositions, event.runId, positions);
        }
        journaledSet(this.journal, positions, positionKey(event), stored);
        let list = this.state.events.get(event.runId);
        if (!list) {
          list = [];
          journaledSet(this.journal, this.state.events, event.runId, list);
        }
        journaledPush(this.journal, list, stored);
      }
    });
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

  startAttempt(start: AttemptStart): Promise<void> {
    return this.composite(async (ledger) => {
      await ledger.putRun(start.run);
      await ledger.putAttempt(start.attempt);
      await ledger.appendEvents(start.events, start.fence);
    });
  }

  completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult> {
    return this.composite(async (ledger): Promise<AttemptCompletionResult> => {
      const latest = (await ledger.listAttempts(completion.runId)).at(-1)?.attempt ?? completion.expectLatestAttempt;
      if (latest > completion.expectLatestAttempt) return { applied: false, latestAttempt: latest };
      for (const artifact of completion.artifacts) await ledger.putArtifact(artifact);
      await ledger.appendEvents(completion.events, completion.fence);
      const attempt = await ledger.updateAttempt(completion.attemptId, completion.attemptPatch, completion.fence);
      const run = await ledger.updateRun(completion.runId, completion.runPatch);
      return { applied: true, run, attempt };
    });
  }

  /**
   * Runs several ledger calls as one: on their own journal (undone when one throws), inside the
   * caller's transaction when there is one, else holding the store mutex like a transaction.
   */
  private composite<T>(fn: (ledger: MemoryLedgerStore) => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      const journal = new Journal();
      try {
        const result = await fn(new MemoryLedgerStore(this.state, journal));
        if (this.journal) this.journal.record(() => journal.rollback());
        else journal.commit();
        return result;
      } catch (error) {
        journal.rollback();
        throw error;
      }
    };
    return this.journal ? attempt() : this.state.mutex.run(attempt);
  }

  putArtifact(artifact: ArtifactRef): Promise<void> {
    return this.guard(() => {
      const isNew = !this.state.artifacts.has(artifact.artifactId);
      journaledSet(this.journal, this.state.artifacts, artifact.artifactId, copy(artifact));
      if (isNew) {
        let ids = this.state.artifactsByRun.get(artifact.runId);
        if (!ids) {
          ids = [];
          journaledSet(this.journal, this.state.artifactsByRun, artifact.runId, ids);
        }
        journaledPush(this.journal, ids, artifact.artifactId);
      }
    });
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
}
