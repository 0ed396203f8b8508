import {
  frozenJsonCopy,
  ledgerRules,
  type AggregatorFence,
  type ArtifactRef,
  type Attempt,
  type AttemptCompletion,
  type AttemptCompletionResult,
  type AttemptPatch,
  type AttemptStart,
  type Event,
  type LedgerStore,
  type Run,
  type RunFilter,
  type RunPatch,
  type TargetDescriptor,
} from '@integration/contracts';
import { copy, journaledAssign, journaledPush, journaledSet } from './journal';
import { MemoryAccess, type RunLedger } from './state';

/** An event's position within its run (positions are indexed per run). */
const positionKey = (e: Pick<Event, 'attempt' | 'seq'>) => `${e.attempt ?? 0}:${e.seq}`;
const samePosition = (a: Event, b: Event) => a.seq === b.seq && a.attempt === b.attempt;

/** A run holding up to this many events finds a position by a scan; beyond it, by an index. */
const SCANNED_RUN_EVENTS = 16;
const idempotencyKeyOf = (run: Run) => `${run.capabilityId}|${run.idempotencyKey}`;

/** Patch values are stored as frozen JSON copies, so stored records can be handed out as they are. */
const frozenRecord = <T extends object>(record: T): T => Object.freeze(record);

interface EventPlan {
  fresh: Event[];
  adopt: Attempt[];
}

const byAttemptThenSeq = (a: Event, b: Event) => (a.attempt ?? 0) - (b.attempt ?? 0) || a.seq - b.seq;

export class MemoryLedgerStore extends MemoryAccess implements LedgerStore {
  putRun(run: Run): Promise<void> {
    return this.guard(() => this.insertRun(this.checkNewRun(run)));
  }

  fetchRun(runId: string): Promise<Run | null> {
    return this.guard(() => this.state.runLedgers.get(runId)?.run ?? null);
  }

  updateRun(runId: string, patch: RunPatch): Promise<Run> {
    return this.guard(() => this.replaceRun(this.patchedRun(runId, patch)));
  }

  findRunByIdempotencyKey(capabilityId: string, idempotencyKey: string): Promise<Run | null> {
    return this.guard(() => {
      const runId = this.state.idempotency.get(`${capabilityId}|${idempotencyKey}`);
      return runId ? (this.state.runLedgers.get(runId)?.run ?? null) : null;
    });
  }

  listRuns(filter: RunFilter = {}): Promise<Run[]> {
    return this.guard(() => {
      const runs = this.state.runOrder
        .map((id) => this.state.runLedgers.get(id)!.run!)
        .filter((r) => ledgerRules.matchesRunFilter(r, filter))
        .sort(ledgerRules.runOrder);
      return filter.limit ? runs.slice(0, filter.limit) : runs;
    });
  }

  listSealedRuns(afterRunId: string | null, limit: number): Promise<Run[]> {
    return this.guard(() =>
      this.state.runOrder
        .map((id) => this.state.runLedgers.get(id)!.run!)
        .filter((r) => ledgerRules.hasSealedInput(r) && (afterRunId === null || r.runId > afterRunId))
        .sort((a, b) => (a.runId < b.runId ? -1 : 1))
        .slice(0, limit),
    );
  }

  putAttempt(attempt: Attempt): Promise<void> {
    return this.guard(() => this.insertAttempt(this.checkNewAttempt(attempt)));
  }

  fetchAttempt(attemptId: string): Promise<Attempt | null> {
    return this.guard(() => this.state.attempts.get(attemptId) ?? null);
  }

  listAttempts(runId: string): Promise<Attempt[]> {
    return this.guard(() => this.attemptsOf(this.state.runLedgers.get(runId)).sort((a, b) => a.attempt - b.attempt));
  }

  updateAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt> {
    return this.guard(() => this.replaceAttempt(this.patchedAttempt(attemptId, patch, fence)));
  }

  appendEvents(events: Event[], fence?: AggregatorFence): Promise<void> {
    return this.guard(() => this.applyEvents(this.planEvents(events, fence)));
  }

  listEvents(runId: string): Promise<Event[]> {
    return this.guard(() => [...(this.state.runLedgers.get(runId)?.events ?? [])].sort(byAttemptThenSeq));
  }

  nextSeq(runId: string, attemptId: string | null): Promise<number> {
    return this.guard(() => {
      let next = 0;
      for (const event of this.state.runLedgers.get(runId)?.events ?? []) {
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
      const existing = this.state.runLedgers.get(start.run.runId);
      const run = this.checkNewRun(start.run, existing);
      const attempt = this.checkNewAttempt(start.attempt);
      const plan = this.planEvents(start.events, start.fence, attempt, existing);
      const ledger = this.ledgerOf(run.runId, existing);
      this.insertRun(run, ledger);
      this.insertAttempt(attempt, attempt.runId === run.runId ? ledger : undefined);
      this.applyEvents(plan, ledger);
    });
  }

  completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult> {
    return this.guard((): AttemptCompletionResult => {
      const ledger = this.state.runLedgers.get(completion.runId);
      const latest = this.attemptsOf(ledger).reduce<number | null>((max, attempt) => Math.max(max ?? 0, attempt.attempt), null);
      const superseded = ledgerRules.supersededCompletion(latest, completion.expectLatestAttempt);
      if (superseded) return superseded;
      const artifacts = completion.artifacts.map((artifact) => copy(artifact));
      const plan = this.planEvents(completion.events, completion.fence, undefined, ledger);
      const attempt = this.patchedAttempt(completion.attemptId, completion.attemptPatch, completion.fence);
      const run = this.patchedRun(completion.runId, completion.runPatch, ledger);
      for (const artifact of artifacts) this.storeArtifact(artifact);
      this.applyEvents(plan, ledger);
      return { applied: true, attempt: this.replaceAttempt(attempt), run: this.replaceRun(run, ledger) };
    });
  }

  putArtifact(artifact: ArtifactRef): Promise<void> {
    return this.guard(() => this.storeArtifact(copy(artifact)));
  }

  fetchArtifact(artifactId: string): Promise<ArtifactRef | null> {
    return this.guard(() => this.state.artifacts.get(artifactId) ?? null);
  }

  listArtifacts(runId: string): Promise<ArtifactRef[]> {
    return this.guard(() => (this.state.runLedgers.get(runId)?.artifactIds ?? []).map((id) => this.state.artifacts.get(id)!));
  }

  putTarget(target: TargetDescriptor): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.targets, target.targetId, copy(target)));
  }

  fetchTarget(targetId: string): Promise<TargetDescriptor | null> {
    return this.guard(() => this.state.targets.get(targetId) ?? null);
  }

  listTargets(): Promise<TargetDescriptor[]> {
    return this.guard(() => [...this.state.targets.values()].sort((a, b) => (a.targetId < b.targetId ? -1 : 1)));
  }

  // Stored records are frozen, so reads hand them out as they are (lists are fresh arrays).
  // Checks return the frozen record to write and throw before anything is written; writes never throw.

  /** The run's ledger, created (journaled) on first write: events or attempts may precede the run. */
  private ledgerOf(runId: string, known?: RunLedger): RunLedger {
    let ledger = known ?? this.state.runLedgers.get(runId);
    if (!ledger) {
      ledger = { run: null, attemptIds: [], events: [], positions: null, artifactIds: [] };
      journaledSet(this.journal, this.state.runLedgers, runId, ledger);
    }
    return ledger;
  }

  /**
   * Run-ledger lookups that remember the last run id: a batch of events is almost always of one
   * run, and the run map is the largest there is (each lookup is a likely cache miss).
   */
  private lookup(known?: RunLedger) {
    let lastRunId = known?.run?.runId;
    let last = known;
    const find = (runId: string): RunLedger | undefined => {
      if (runId !== lastRunId || !last) {
        lastRunId = runId;
        last = this.state.runLedgers.get(runId);
      }
      return last;
    };
    return {
      find,
      create: (runId: string): RunLedger => {
        last = this.ledgerOf(runId, find(runId));
        return last;
      },
    };
  }

  private attemptsOf(ledger: RunLedger | undefined): Attempt[] {
    return (ledger?.attemptIds ?? []).map((id) => this.state.attempts.get(id)!);
  }

  private checkNewRun(run: Run, existing = this.state.runLedgers.get(run.runId)): Run {
    if (existing?.run) throw ledgerRules.duplicateRun(run, true);
    if (ledgerRules.idempotencyKeyOf(run) && this.state.idempotency.has(idempotencyKeyOf(run))) throw ledgerRules.duplicateRun(run, false);
    return copy(run);
  }

  private insertRun(run: Run, ledger = this.ledgerOf(run.runId)): void {
    journaledAssign(this.journal, ledger, 'run', run);
    journaledPush(this.journal, this.state.runOrder, run.runId);
    if (ledgerRules.idempotencyKeyOf(run)) journaledSet(this.journal, this.state.idempotency, idempotencyKeyOf(run), run.runId);
  }

  private patchedRun(runId: string, patch: RunPatch, ledger = this.state.runLedgers.get(runId)): Run {
    return frozenRecord(ledgerRules.patchedRun(ledger?.run, runId, patch, frozenJsonCopy));
  }

  private replaceRun(run: Run, ledger = this.state.runLedgers.get(run.runId)!): Run {
    journaledAssign(this.journal, ledger, 'run', run);
    return run;
  }

  private checkNewAttempt(attempt: Attempt): Attempt {
    if (this.state.attempts.has(attempt.attemptId)) throw ledgerRules.duplicateAttempt(attempt.attemptId);
    return copy(attempt);
  }

  private insertAttempt(attempt: Attempt, ledger = this.ledgerOf(attempt.runId)): void {
    journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
    journaledPush(this.journal, ledger.attemptIds, attempt.attemptId);
  }

  private patchedAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Attempt {
    return frozenRecord(ledgerRules.patchedAttempt(this.state.attempts.get(attemptId), attemptId, patch, fence, frozenJsonCopy));
  }

  private replaceAttempt(attempt: Attempt): Attempt {
    journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
    return attempt;
  }

  /**
   * The shared batch plan over the stored positions (identical: idempotent; different:
   * `event_conflict`), then the fence on every attempt before any adopts a newer epoch.
   * `pending` is an attempt being inserted in the same call.
   */
  private planEvents(events: Event[], fence: AggregatorFence | undefined, pending?: Attempt, known?: RunLedger): EventPlan {
    const ledgers = this.lookup(known);
    const fresh = ledgerRules.planEventBatch(events, (event) => this.eventAt(ledgers.find(event.runId), event), copy);
    if (!fence) return { fresh, adopt: [] };
    const adopt = ledgerRules.fenceEventAttempts(fresh, fence, (attemptId) => (pending?.attemptId === attemptId ? pending : this.state.attempts.get(attemptId)));
    return { fresh, adopt: adopt.map(frozenRecord) };
  }

  /** The event the run holds at `event`'s position. */
  private eventAt(ledger: RunLedger | undefined, event: Event): Event | undefined {
    if (!ledger) return undefined;
    if (ledger.positions) return ledger.positions.get(positionKey(event));
    if (ledger.events.length <= SCANNED_RUN_EVENTS) return ledger.events.find((held) => samePosition(held, event));
    // Journaled, so a rollback drops an index that holds the rolled-back events.
    journaledAssign(this.journal, ledger, 'positions', new Map(ledger.events.map((held) => [positionKey(held), held])));
    return ledger.positions!.get(positionKey(event));
  }

  private applyEvents({ fresh, adopt }: EventPlan, known?: RunLedger): void {
    for (const attempt of adopt) journaledSet(this.journal, this.state.attempts, attempt.attemptId, attempt);
    const ledgers = this.lookup(known);
    for (const event of fresh) {
      const ledger = ledgers.create(event.runId);
      if (ledger.positions) journaledSet(this.journal, ledger.positions, positionKey(event), event);
      journaledPush(this.journal, ledger.events, event);
    }
  }

  private storeArtifact(artifact: ArtifactRef): void {
    const isNew = !this.state.artifacts.has(artifact.artifactId);
    journaledSet(this.journal, this.state.artifacts, artifact.artifactId, artifact);
    if (isNew) journaledPush(this.journal, this.ledgerOf(artifact.runId).artifactIds, artifact.artifactId);
  }
}
