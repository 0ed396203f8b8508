import { ConflictError } from '../errors/integration-error';
import type { AggregatorFence, Attempt } from '../records/attempt';
import type { Event } from '../records/event';
import type { Run } from '../records/run';
import type { StoreSet } from './stores';

/** Attempts that are still open: no outcome was ever recorded for them. */
export const openAttemptStatuses: ReadonlySet<Attempt['status']> = new Set(['accepted', 'running']);

/** Builds the `attempt.lost` event closing an open attempt, at the given seq of that attempt. */
export type LostEventBuilder = (lost: Attempt, seq: number, supersededBy: number | null) => Event;

export interface AttemptRestart {
  runId: string;
  /** Also restart a run left `running` by an executor that vanished (dispatch recovery). */
  allowRunning: boolean;
  updatedAt: string;
  /** Attempt N (= highest + 1) with its opening events and fence. */
  next(attemptNumber: number): { attempt: Attempt; events: Event[]; fence: AggregatorFence };
  lostEvent: LostEventBuilder;
}

export interface RestartedRun {
  run: Run;
  attempt: Attempt;
  /** Open attempts this restart closed as `lost`. */
  lost: Attempt[];
}

const executable = new Set<Run['status']>(['accepted', 'failed']);

/**
 * Inside a transaction (`tx`): closes every attempt of `runId` that is still open (its executor
 * died without recording an outcome) as `lost`, each with an `attempt.lost` event. Called when a
 * newer attempt supersedes them (`supersededBy`) or when the run ends before one could start.
 */
export async function closeOpenAttempts(
  tx: StoreSet,
  close: { runId: string; attempts: Attempt[]; supersededBy: number | null; updatedAt: string; lostEvent: LostEventBuilder },
): Promise<Attempt[]> {
  const lost: Attempt[] = [];
  for (const open of close.attempts.filter((a) => openAttemptStatuses.has(a.status))) {
    const fence = { aggregatorId: open.aggregatorId, aggregatorEpoch: open.aggregatorEpoch };
    const seq = await tx.ledger.nextSeq(close.runId, open.attemptId);
    await tx.ledger.appendEvents([close.lostEvent(open, seq, close.supersededBy)], fence);
    const message =
      close.supersededBy === null
        ? 'its executor never recorded an outcome, and the run ended before a new attempt started'
        : `superseded by attempt ${close.supersededBy}: its executor never recorded an outcome`;
    lost.push(
      await tx.ledger.updateAttempt(
        open.attemptId,
        { status: 'lost', error: { code: 'lock_lost', message, retryable: false, details: { supersededBy: close.supersededBy } }, updatedAt: close.updatedAt },
        fence,
      ),
    );
  }
  return lost;
}

/**
 * A new attempt for an existing run, inside a transaction (`tx`): the run must be executable; every
 * attempt still open is closed as `lost` in the same transaction that starts attempt N, so a run
 * that completes never keeps a live attempt behind it.
 */
export async function restartRun(tx: StoreSet, restart: AttemptRestart): Promise<RestartedRun> {
  const { runId } = restart;
  const current = await tx.ledger.fetchRun(runId);
  if (!current) throw new ConflictError('run_not_executable', `run ${runId} disappeared`, { details: { runId } });
  if (!executable.has(current.status) && !(restart.allowRunning && current.status === 'running')) {
    throw new ConflictError('run_not_executable', `run ${runId} is ${current.status}`, { details: { runId, status: current.status } });
  }
  const attempts = await tx.ledger.listAttempts(runId);
  const number = (attempts.at(-1)?.attempt ?? 0) + 1;
  const lost = await closeOpenAttempts(tx, { runId, attempts, supersededBy: number, updatedAt: restart.updatedAt, lostEvent: restart.lostEvent });
  const run = await tx.ledger.updateRun(runId, { status: 'running', updatedAt: restart.updatedAt });
  const { attempt, events, fence } = restart.next(number);
  await tx.ledger.putAttempt(attempt);
  await tx.ledger.appendEvents(events, fence);
  return { run, attempt, lost };
}
