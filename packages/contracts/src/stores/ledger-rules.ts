import { canonicalJson } from '../canonical-json';
import { ConflictError, NotFoundError } from '../errors/integration-error';
import type { AggregatorFence, Attempt, AttemptPatch } from '../records/attempt';
import type { Event } from '../records/event';
import { eventIdentity } from '../records/event';
import type { Run, RunPatch } from '../records/run';
import type { AttemptCompletionResult, RunFilter } from './ledger-store';
import { checkFence } from './fence';

/**
 * The ledger rules every tier shares, written once as pure functions over records: a tier reads
 * what a rule needs, calls it, and writes what it returns. Errors are thrown before anything a
 * rule decides is written.
 */

/** An event's position: (runId, attemptId, seq). Run-level events have attemptId null. */
export const eventPositionKey = (e: Pick<Event, 'runId' | 'attemptId' | 'seq'>): string => `${e.runId}|${e.attemptId ?? ''}|${e.seq}`;

/** The idempotency key a run is indexed under: an empty key is no key. */
export const idempotencyKeyOf = (run: Pick<Run, 'idempotencyKey'>): string | null => run.idempotencyKey || null;

/** Whether the run holds a sealed exact input (key rotation pages through these). */
export const hasSealedInput = (run: Pick<Run, 'sealedInput'>): boolean => run.sealedInput != null;

/**
 * The indexed columns of a run row, in the order both SQL tiers declare them
 * (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at).
 */
export const runIndexColumns = (run: Run): [string, string, string, string, string | null, string | null, string] => [
  run.runId,
  run.capabilityId,
  run.connectorId,
  run.status,
  run.tenantId ?? null,
  idempotencyKeyOf(run),
  run.createdAt,
];

/** `putRun` of a taken run: `idTaken` when the runId exists, else its (capabilityId, idempotencyKey) is taken. */
export function duplicateRun(run: Run, idTaken: boolean): ConflictError {
  if (idTaken) return new ConflictError('duplicate_record', `run ${run.runId} already exists`);
  return new ConflictError('duplicate_record', `a run with idempotency key ${run.idempotencyKey} already exists`, {
    details: { capabilityId: run.capabilityId, idempotencyKey: run.idempotencyKey },
  });
}

export const duplicateAttempt = (attemptId: string): ConflictError => new ConflictError('duplicate_record', `attempt ${attemptId} already exists`);
export const unknownRun = (runId: string): NotFoundError => new NotFoundError('unknown_run', `no run ${runId}`);
export const unknownAttempt = (attemptId: string): NotFoundError => new NotFoundError('unknown_attempt', `no attempt ${attemptId}`);

export function eventConflict(event: Event): ConflictError {
  return new ConflictError('event_conflict', `a different event already holds ${event.runId} ${event.attemptId ?? 'run'} seq ${event.seq}`, {
    details: { runId: event.runId, attemptId: event.attemptId, seq: event.seq },
  });
}

/** Two events at one position are the same event when their identity fields are equal. */
export const sameEvent = (a: Event, b: Event): boolean => canonicalJson(eventIdentity(a)) === canonicalJson(eventIdentity(b));

/** Copies a patch value into the stored record; a tier that hands records out by reference copies (and freezes) here. */
export type ValueCopy = (value: unknown) => unknown;
const asIs: ValueCopy = (value) => value;

/**
 * `current` with `patch` applied as a durable tier stores it: a key whose value JSON drops
 * (undefined) is removed, the others are set in place (existing keys keep their order).
 */
export function mergePatch<T extends object>(current: T, patch: object, copyValue: ValueCopy = asIs): T {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const key of Object.keys(patch)) {
    const value = copyValue((patch as Record<string, unknown>)[key]);
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as T;
}

/** `updateRun`: the stored run (null: `unknown_run`) with the patch applied. */
export function patchedRun(current: Run | null | undefined, runId: string, patch: RunPatch, copyValue?: ValueCopy): Run {
  if (!current) throw unknownRun(runId);
  return mergePatch(current, patch, copyValue);
}

/**
 * `updateAttempt`: the stored attempt (null: `unknown_attempt`) with the patch applied, after the
 * fence check; the attempt adopts the fence's aggregator (a higher epoch is taken over).
 */
export function patchedAttempt(
  current: Attempt | null | undefined,
  attemptId: string,
  patch: AttemptPatch,
  fence: AggregatorFence,
  copyValue?: ValueCopy,
): Attempt {
  if (!current) throw unknownAttempt(attemptId);
  checkFence(current, fence);
  const next = mergePatch(current, patch, copyValue);
  next.aggregatorId = fence.aggregatorId;
  next.aggregatorEpoch = fence.aggregatorEpoch;
  return next;
}

/**
 * The latest-attempt guard of `completeAttempt`: the not-applied result when a newer attempt than
 * `expectLatestAttempt` exists (`latest` is the run's highest attempt number), else null.
 */
export function supersededCompletion(latest: number | null | undefined, expectLatestAttempt: number): AttemptCompletionResult | null {
  return latest != null && latest > expectLatestAttempt ? { applied: false, latestAttempt: latest } : null;
}

/**
 * Plans an event batch in order. The first event at each position is offered to `claim`, which
 * returns the event already stored there, or null when the position is free (a tier that inserts
 * first has just stored it). A later event at a position the batch or the store already holds is
 * compared with it: the same event is a no-op, a different one rejects the batch (`event_conflict`).
 * Returns the events to store (as `keep` returns them), in batch order.
 */
export function planEventBatch(events: Event[], claim: (event: Event) => Event | null | undefined, keep: (event: Event) => Event = (e) => e): Event[] {
  const fresh: Event[] = [];
  const batch = new BatchPositions(events.length);
  for (const event of events) {
    const existing = batch.at(fresh, event) ?? claim(event);
    if (existing) {
      if (!sameEvent(existing, event)) throw eventConflict(event);
      continue;
    }
    const stored = keep(event);
    batch.add(stored);
    fresh.push(stored);
  }
  return fresh;
}

const samePosition = (a: Event, b: Event): boolean => a.seq === b.seq && a.attemptId === b.attemptId && a.runId === b.runId;

/** Batches up to this size find positions by a scan: cheaper than hashing a long key per event. */
const SCANNED_BATCH_SIZE = 16;

/** The positions a batch has claimed so far. */
class BatchPositions {
  private readonly index: Map<string, Event> | null;

  constructor(size: number) {
    this.index = size > SCANNED_BATCH_SIZE ? new Map() : null;
  }

  at(fresh: Event[], event: Event): Event | undefined {
    if (this.index) return this.index.get(eventPositionKey(event));
    for (const held of fresh) if (samePosition(held, event)) return held;
    return undefined;
  }

  add(event: Event): void {
    this.index?.set(eventPositionKey(event), event);
  }
}

/** The distinct attempts the events are on, in first-seen order (run-level events have none). */
export function attemptIdsOf(events: Event[]): string[] {
  const ids = new Set<string>();
  for (const { attemptId } of events) if (attemptId !== null) ids.add(attemptId);
  return [...ids];
}

/**
 * The fence of an event batch: every attempt a fresh event is on must exist (`unknown_attempt`) and
 * pass `checkFence`, all before any is written. Returns the attempts that adopt the fence's newer
 * epoch (the tier writes them with the events).
 */
export function fenceEventAttempts(fresh: Event[], fence: AggregatorFence, attemptOf: (attemptId: string) => Attempt | null | undefined): Attempt[] {
  const adopt: Attempt[] = [];
  for (const attemptId of attemptIdsOf(fresh)) {
    const attempt = attemptOf(attemptId);
    if (!attempt) throw unknownAttempt(attemptId);
    checkFence(attempt, fence);
    if (attempt.aggregatorEpoch !== fence.aggregatorEpoch) adopt.push({ ...attempt, ...fence });
  }
  return adopt;
}

/** `listRuns` for a tier that filters in code: the filter's fields must all match. */
export function matchesRunFilter(run: Run, filter: RunFilter): boolean {
  return (
    (!filter.capabilityId || run.capabilityId === filter.capabilityId) &&
    (!filter.connectorId || run.connectorId === filter.connectorId) &&
    (!filter.status || run.status === filter.status) &&
    (!filter.tenantId || run.tenantId === filter.tenantId)
  );
}

/** The order runs are listed in: createdAt, then runId. */
export function runOrder(a: Run, b: Run): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
}
