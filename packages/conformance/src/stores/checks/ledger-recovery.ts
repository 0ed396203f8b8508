import { closeOpenAttempts, restartRun, type AttemptRestart, type LostEventBuilder, type Run, type Stores } from '@integration/contracts';
import type { StoreCheck } from '../battery';
import { assert, rejectsWithCode } from '../assert';
import { at, attempt, event, run, sealWithTestKey, uid } from '../fixtures';

const fenceOf = (a: { aggregatorId: string; aggregatorEpoch: number }) => ({ aggregatorId: a.aggregatorId, aggregatorEpoch: a.aggregatorEpoch });

/** A sealed exact input (a real envelope; the ledger only stores it). */
const sealed = (runId: string, note: string) => sealWithTestKey(`run:${runId}`, JSON.stringify({ token: `secret-${note}` })).envelope;

/** Everything the ledger holds for one run. */
async function snapshot(stores: Stores, runId: string) {
  return { run: await stores.ledger.fetchRun(runId), attempts: await stores.ledger.listAttempts(runId), events: await stores.ledger.listEvents(runId) };
}

/** The `attempt.lost` event, as the control plane builds it (in the lost attempt's own stream). */
const lostEvent: LostEventBuilder = (lost, seq, supersededBy) =>
  event(lost.runId, lost.attempt, seq, { type: 'attempt.lost', stream: 'control', level: 'warn', payload: { attempt: lost.attempt, supersededBy } });

/** A restart of `runId` whose next attempt runs under a new aggregator. */
function restartOf(runId: string, updatedAt: string, allowRunning = true): AttemptRestart {
  return {
    runId,
    allowRunning,
    updatedAt,
    next: (n) => {
      const next = attempt(runId, n, { aggregatorId: 'agg_restart', aggregatorEpoch: 2, updatedAt, createdAt: updatedAt });
      return { attempt: next, events: [event(runId, n, 0, { type: 'attempt.started' })], fence: fenceOf(next) };
    },
    lostEvent,
  };
}

/** A run left `running` with attempt 1 still `running` (its executor vanished). */
async function abandoned(stores: Stores, status: Run['status'] = 'running') {
  const r = run({ runId: `run_${uid()}`, status });
  const a1 = attempt(r.runId, 1);
  const started = event(r.runId, 1, 0, { type: 'attempt.started' });
  await stores.ledger.startAttempt({ run: r, attempt: a1, events: [started], fence: fenceOf(a1) });
  return { r, a1, started };
}

export const ledgerRecoveryChecks: StoreCheck[] = [
  {
    id: 'ledger.sealed_runs.pages',
    title: 'listSealedRuns pages (afterRunId, limit) through exactly the runs with a sealed input, by runId; a re-seal keeps the run listed',
    async run({ stores }) {
      const s = uid();
      const id = (x: string) => `run_${s}_${x}`;
      // createdAt runs against runId order, so an ordering by creation shows.
      const runs = Object.fromEntries(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => [x, run({ runId: id(x), sealedInput: ['b', 'e'].includes(x) ? null : sealed(id(x), x) }, 100 - i * 10)]),
      ) as Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', Run>;
      for (const x of ['d', 'b', 'f', 'a', 'e', 'c'] as const) await stores.ledger.putRun(runs[x]);
      const { a, c, d, f } = runs;
      assert.deepEqual(await stores.ledger.listSealedRuns(null, 10), [a, c, d, f]);
      // Pages of two: each starts after the last runId of the one before; the end is an empty page.
      assert.deepEqual(await stores.ledger.listSealedRuns(null, 2), [a, c]);
      assert.deepEqual(await stores.ledger.listSealedRuns(c.runId, 2), [d, f]);
      assert.deepEqual(await stores.ledger.listSealedRuns(f.runId, 2), []);
      // afterRunId is exclusive and need not name a sealed (or any) run.
      assert.deepEqual(await stores.ledger.listSealedRuns(a.runId, 1), [c]);
      assert.deepEqual(await stores.ledger.listSealedRuns(id('b'), 10), [c, d, f]);
      assert.deepEqual(await stores.ledger.listSealedRuns(id('cc'), 10), [d, f]);

      // Key rotation re-seals: a new envelope, no updatedAt (unchanged), the run stays listed.
      const rewrapped = sealed(c.runId, 'rewrapped');
      assert.notDeepEqual(rewrapped, c.sealedInput);
      const c2 = await stores.ledger.updateRun(c.runId, { sealedInput: rewrapped });
      assert.deepEqual(c2, { ...c, sealedInput: rewrapped });
      assert.deepEqual(await stores.ledger.fetchRun(c.runId), c2);
      assert.deepEqual(await stores.ledger.listSealedRuns(null, 10), [a, c2, d, f]);
      // Other patches leave the sealed input alone.
      const a2 = await stores.ledger.updateRun(a.runId, { status: 'completed', result: { ok: true }, updatedAt: at(500) });
      assert.deepEqual(a2.sealedInput, a.sealedInput);
      assert.deepEqual(await stores.ledger.listSealedRuns(null, 2), [a2, c2]);
    },
  },
  {
    id: 'ledger.restart_run.closes_lost_attempts',
    title: 'restartRun in a transaction: attempt 2 starts, open attempt 1 is closed lost (lock_lost) with attempt.lost in its stream, all or nothing; closeOpenAttempts alone',
    async run({ stores }) {
      // A run whose attempt 1 was left running: the restart closes it and starts attempt 2, together.
      const { r, a1, started } = await abandoned(stores);
      const restart = restartOf(r.runId, at(1_000));
      const restarted = await stores.transaction((tx) => restartRun(tx, restart));
      const a2 = restart.next(2).attempt;
      const lost = { ...a1, status: 'lost' as const, error: { code: 'lock_lost', message: restarted.lost[0]?.error?.message ?? '', retryable: false, details: { supersededBy: 2 } }, updatedAt: at(1_000) };
      assert.ok(lost.error.message.length > 0, 'the lost attempt carries an error message');
      assert.deepEqual(restarted.lost, [lost]);
      assert.deepEqual(restarted.attempt, a2);
      assert.deepEqual(restarted.run, { ...r, status: 'running', updatedAt: at(1_000) });
      const after = await snapshot(stores, r.runId);
      assert.deepEqual(after.run, restarted.run);
      assert.deepEqual(after.attempts, [lost, a2]);
      assert.deepEqual(
        after.events.map((e) => [e.attemptId, e.seq, e.type, e.payload]),
        [
          [a1.attemptId, 0, 'attempt.started', started.payload],
          [a1.attemptId, 1, 'attempt.lost', { attempt: 1, supersededBy: 2 }],
          [a2.attemptId, 0, 'attempt.started', { seq: 0 }],
        ],
      );
      assert.equal(await stores.ledger.nextSeq(r.runId, a1.attemptId), 2);

      // A step failing later in the same transaction undoes the restart entirely.
      const other = await abandoned(stores);
      const before = await snapshot(stores, other.r.runId);
      await rejectsWithCode(
        stores.transaction(async (tx) => {
          const done = await restartRun(tx, restartOf(other.r.runId, at(2_000)));
          assert.equal(done.lost.length, 1);
          await tx.ledger.putRun(other.r);
        }),
        'duplicate_record',
      );
      assert.deepEqual(await snapshot(stores, other.r.runId), before);
      assert.equal((await stores.ledger.fetchAttempt(other.a1.attemptId))?.status, 'running');
      assert.equal(await stores.ledger.fetchAttempt(`${other.r.runId}:2`), null);

      // A run that is not executable: run_not_executable, and its open attempt is left as it was.
      const done = await abandoned(stores, 'completed');
      const untouched = await snapshot(stores, done.r.runId);
      await rejectsWithCode(stores.transaction((tx) => restartRun(tx, restartOf(done.r.runId, at(3_000)))), 'run_not_executable', 'completed run: ');
      const running = await abandoned(stores);
      await rejectsWithCode(stores.transaction((tx) => restartRun(tx, restartOf(running.r.runId, at(3_000), false))), 'run_not_executable', 'running run without allowRunning: ');
      await rejectsWithCode(stores.transaction((tx) => restartRun(tx, restartOf(`run_${uid()}`, at(3_000)))), 'run_not_executable', 'missing run: ');
      assert.deepEqual(await snapshot(stores, done.r.runId), untouched);
      assert.equal((await stores.ledger.listAttempts(running.r.runId)).length, 1);

      // closeOpenAttempts alone (the run ended before a new attempt): every open attempt — accepted
      // or running, each under its own fence — is closed lost; finished attempts and the run stay.
      const ended = run({ runId: `run_${uid()}`, status: 'failed' });
      await stores.ledger.putRun(ended);
      const failed = attempt(ended.runId, 1, { status: 'failed', error: { code: 'connector_timeout', message: 'slow', retryable: true, details: {} } });
      const open2 = attempt(ended.runId, 2, { aggregatorId: 'agg_two', aggregatorEpoch: 4 });
      const open3 = attempt(ended.runId, 3, { status: 'accepted', aggregatorId: 'agg_three', aggregatorEpoch: 7 });
      for (const a of [failed, open2, open3]) await stores.ledger.putAttempt(a);
      await stores.ledger.appendEvents([event(ended.runId, 2, 0, { type: 'attempt.started' })], fenceOf(open2));
      const closed = await stores.transaction(async (tx) =>
        closeOpenAttempts(tx, { runId: ended.runId, attempts: await tx.ledger.listAttempts(ended.runId), supersededBy: null, updatedAt: at(4_000), lostEvent }),
      );
      const closedAs = (a: typeof open2, i: number) => ({ ...a, status: 'lost' as const, error: { code: 'lock_lost', message: closed[i]?.error?.message ?? '', retryable: false, details: { supersededBy: null } }, updatedAt: at(4_000) });
      assert.deepEqual(closed, [closedAs(open2, 0), closedAs(open3, 1)]);
      const endedAfter = await snapshot(stores, ended.runId);
      assert.deepEqual(endedAfter.run, ended);
      assert.deepEqual(endedAfter.attempts, [failed, ...closed]);
      assert.deepEqual(
        endedAfter.events.map((e) => [e.attemptId, e.seq, e.type, e.payload]),
        [
          [open2.attemptId, 0, 'attempt.started', { seq: 0 }],
          [open2.attemptId, 1, 'attempt.lost', { attempt: 2, supersededBy: null }],
          [open3.attemptId, 0, 'attempt.lost', { attempt: 3, supersededBy: null }],
        ],
      );
      // Nothing is open any more: a second close writes nothing.
      assert.deepEqual(await stores.transaction(async (tx) => closeOpenAttempts(tx, { runId: ended.runId, attempts: await tx.ledger.listAttempts(ended.runId), supersededBy: null, updatedAt: at(5_000), lostEvent })), []);
      assert.deepEqual(await snapshot(stores, ended.runId), endedAfter);
    },
  },
];
