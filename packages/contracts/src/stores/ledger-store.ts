import type { Run, RunPatch } from '../records/run';
import type { Attempt, AttemptPatch, AggregatorFence } from '../records/attempt';
import type { Event } from '../records/event';
import type { ArtifactRef } from '../records/artifact-ref';
import type { TargetDescriptor } from '../records/target-descriptor';

/**
 * The start step of an invoke, written atomically: `putRun(run)`, `putAttempt(attempt)`,
 * `appendEvents(events, fence)` — the same errors as those calls, and nothing written when one fails.
 */
export interface AttemptStart {
  run: Run;
  attempt: Attempt;
  events: Event[];
  fence: AggregatorFence;
}

/**
 * The completion step of an invoke, written atomically when attempt `expectLatestAttempt` is still
 * the run's highest attempt number: `putArtifact` for each artifact, `appendEvents(events, fence)`,
 * `updateAttempt(attemptId, attemptPatch, fence)`, `updateRun(runId, runPatch)`.
 */
export interface AttemptCompletion {
  runId: string;
  attemptId: string;
  expectLatestAttempt: number;
  artifacts: ArtifactRef[];
  events: Event[];
  fence: AggregatorFence;
  attemptPatch: AttemptPatch;
  runPatch: RunPatch;
  /**
   * Optional hint: the run and attempt as the caller last wrote or read them. A tier may use it to
   * skip reading them first; the outcome never depends on it (a stale hint is ignored).
   */
  current?: { run: Run; attempt: Attempt };
}

/** `applied: false`: a newer attempt exists (its number is `latestAttempt`) and nothing was written. */
export type AttemptCompletionResult = { applied: true; run: Run; attempt: Attempt } | { applied: false; latestAttempt: number };

export interface RunFilter {
  capabilityId?: string;
  connectorId?: string;
  status?: Run['status'];
  tenantId?: string;
  limit?: number;
}

/**
 * Run, attempt, event, artifact and target truth. Records arrive already redacted.
 * Errors: `duplicate_record` (put of an existing id, or of a run whose (capabilityId,
 * idempotencyKey) is taken), `unknown_run` / `unknown_attempt` (update of a
 * missing id), `event_conflict`, `stale_aggregator_epoch`, `aggregator_id_mismatch`.
 */
export interface LedgerStore {
  putRun(run: Run): Promise<void>;
  fetchRun(runId: string): Promise<Run | null>;
  updateRun(runId: string, patch: RunPatch): Promise<Run>;
  /** The run an earlier invoke created with this key for this capability, if any. */
  findRunByIdempotencyKey(capabilityId: string, idempotencyKey: string): Promise<Run | null>;
  /** Ordered by createdAt, then runId. */
  listRuns(filter?: RunFilter): Promise<Run[]>;
  /** Runs holding a sealed exact input, by runId after `afterRunId` (key rotation pages through them). */
  listSealedRuns(afterRunId: string | null, limit: number): Promise<Run[]>;

  putAttempt(attempt: Attempt): Promise<void>;
  fetchAttempt(attemptId: string): Promise<Attempt | null>;
  /** Ordered by attempt number. */
  listAttempts(runId: string): Promise<Attempt[]>;
  /**
   * Fenced update: a lower epoch than the stored one → `stale_aggregator_epoch`; the same epoch with
   * another aggregator id → `aggregator_id_mismatch`; a higher epoch is adopted.
   */
  updateAttempt(attemptId: string, patch: AttemptPatch, fence: AggregatorFence): Promise<Attempt>;

  /**
   * Appends atomically. Idempotent by position (runId, attemptId, seq): the same event again is a
   * no-op; a different event at a used position rejects the whole batch with `event_conflict`.
   * With a fence, events on an attempt are checked against its aggregator like `updateAttempt`.
   */
  appendEvents(events: Event[], fence?: AggregatorFence): Promise<void>;
  /** Run-level events (attemptId null) first, then by attempt number, then seq. */
  listEvents(runId: string): Promise<Event[]>;
  /** Next free seq for (runId, attemptId); run-level events use attemptId null. */
  nextSeq(runId: string, attemptId: string | null): Promise<number>;

  /**
   * The invoke pipeline's two write steps as single calls, so a tier can do each in one round trip.
   * Same semantics and errors as the calls they stand for, made in one transaction.
   */
  startAttempt(start: AttemptStart): Promise<void>;
  completeAttempt(completion: AttemptCompletion): Promise<AttemptCompletionResult>;

  /** Upsert by artifactId. */
  putArtifact(artifact: ArtifactRef): Promise<void>;
  fetchArtifact(artifactId: string): Promise<ArtifactRef | null>;
  /** In insertion order. */
  listArtifacts(runId: string): Promise<ArtifactRef[]>;

  /** Upsert by targetId. */
  putTarget(target: TargetDescriptor): Promise<void>;
  fetchTarget(targetId: string): Promise<TargetDescriptor | null>;
  /** Ordered by targetId. */
  listTargets(): Promise<TargetDescriptor[]>;
}
