import type { StoreCheck } from '../battery';
import type { Stores } from '@integration/contracts';
import { assert, rejectsWithCode } from '../assert';
import { artifact, at, attempt, event, run, uid } from '../fixtures';

/** Everything the ledger holds for one run, to show that a rejected step wrote nothing. */
async function snapshot(stores: Stores, runId: string) {
  return {
    run: await stores.ledger.fetchRun(runId),
    attempts: await stores.ledger.listAttempts(runId),
    events: await stores.ledger.listEvents(runId),
    artifacts: await stores.ledger.listArtifacts(runId),
  };
}

const fenceOf = (a: { aggregatorId: string; aggregatorEpoch: number }) => ({ aggregatorId: a.aggregatorId, aggregatorEpoch: a.aggregatorEpoch });

/** A run with attempt 1 started through startAttempt, ready for completeAttempt. */
async function started(stores: Stores) {
  const r = run({ runId: `run_${uid()}`, status: 'running' });
  const a = attempt(r.runId, 1);
  await stores.ledger.startAttempt({ run: r, attempt: a, events: [event(r.runId, 1, 0, { type: 'run.started' })], fence: fenceOf(a) });
  return { r, a };
}

export const ledgerStepChecks: StoreCheck[] = [
  {
    id: 'ledger.start_attempt.writes_all',
    title: 'startAttempt stores the run, the attempt and its events exactly, atomically',
    async run({ stores }) {
      const r = run({ runId: `run_${uid()}`, status: 'running', idempotencyKey: `key-${uid()}` });
      const a = attempt(r.runId, 1, { aggregatorId: 'agg', aggregatorEpoch: 3 });
      const events = [event(r.runId, 1, 0, { type: 'run.started' }), event(r.runId, 1, 1)];
      await stores.ledger.startAttempt({ run: r, attempt: a, events, fence: fenceOf(a) });
      assert.deepEqual(await snapshot(stores, r.runId), { run: r, attempts: [a], events, artifacts: [] });
      assert.deepEqual(await stores.ledger.findRunByIdempotencyKey(r.capabilityId, r.idempotencyKey!), r);
      assert.equal(await stores.ledger.nextSeq(r.runId, a.attemptId), 2);
    },
  },
  {
    id: 'ledger.start_attempt.rejections_write_nothing',
    title: 'startAttempt: duplicate run / idempotency key / attempt, event_conflict and fence errors write nothing',
    async run({ stores }) {
      const { r, a } = await started(stores);
      const fresh = () => {
        const nr = run({ runId: `run_${uid()}`, status: 'running' });
        const na = attempt(nr.runId, 1);
        return { nr, na, events: [event(nr.runId, 1, 0)] };
      };
      // The run id is taken.
      const dup = fresh();
      await rejectsWithCode(
        stores.ledger.startAttempt({ run: { ...dup.nr, runId: r.runId }, attempt: attempt(r.runId, 7), events: [event(r.runId, 7, 0)], fence: fenceOf(a) }),
        'duplicate_record',
        'run id: ',
      );
      assert.equal((await stores.ledger.listAttempts(r.runId)).length, 1);
      // The idempotency key is taken.
      const keyed = run({ runId: `run_${uid()}`, idempotencyKey: `key-${uid()}` });
      await stores.ledger.putRun(keyed);
      const k = fresh();
      await rejectsWithCode(
        stores.ledger.startAttempt({ run: { ...k.nr, idempotencyKey: keyed.idempotencyKey }, attempt: k.na, events: k.events, fence: fenceOf(k.na) }),
        'duplicate_record',
        'idempotency key: ',
      );
      assert.deepEqual(await snapshot(stores, k.nr.runId), { run: null, attempts: [], events: [], artifacts: [] });
      // The attempt id is taken (by an attempt filed under another run id).
      const x = fresh();
      await stores.ledger.putAttempt(x.na);
      await rejectsWithCode(stores.ledger.startAttempt({ run: x.nr, attempt: { ...x.na, status: 'completed' }, events: x.events, fence: fenceOf(x.na) }), 'duplicate_record', 'attempt: ');
      assert.deepEqual(await snapshot(stores, x.nr.runId), { run: null, attempts: [x.na], events: [], artifacts: [] });
      // A different event already holds the position.
      const e = fresh();
      const holder = event(e.nr.runId, 1, 0, { type: 'other.event' });
      await stores.ledger.appendEvents([holder]);
      await rejectsWithCode(stores.ledger.startAttempt({ run: e.nr, attempt: e.na, events: e.events, fence: fenceOf(e.na) }), 'event_conflict', 'event: ');
      assert.deepEqual(await snapshot(stores, e.nr.runId), { run: null, attempts: [], events: [holder], artifacts: [] });
      // The same event at the position is a no-op, as with appendEvents.
      const same = fresh();
      await stores.ledger.appendEvents(same.events);
      await stores.ledger.startAttempt({ run: same.nr, attempt: same.na, events: same.events, fence: fenceOf(same.na) });
      assert.deepEqual(await snapshot(stores, same.nr.runId), { run: same.nr, attempts: [same.na], events: same.events, artifacts: [] });
      // A fence that does not match the new attempt.
      const f = fresh();
      await rejectsWithCode(
        stores.ledger.startAttempt({ run: f.nr, attempt: f.na, events: f.events, fence: { aggregatorId: 'someone_else', aggregatorEpoch: f.na.aggregatorEpoch } }),
        'aggregator_id_mismatch',
        'fence: ',
      );
      await rejectsWithCode(
        stores.ledger.startAttempt({ run: f.nr, attempt: { ...f.na, aggregatorEpoch: 5 }, events: f.events, fence: { aggregatorId: f.na.aggregatorId, aggregatorEpoch: 4 } }),
        'stale_aggregator_epoch',
        'fence: ',
      );
      assert.deepEqual(await snapshot(stores, f.nr.runId), { run: null, attempts: [], events: [], artifacts: [] });
      // Events on an attempt that does not exist, with a fence.
      const u = fresh();
      await rejectsWithCode(
        stores.ledger.startAttempt({ run: u.nr, attempt: u.na, events: [event(u.nr.runId, 2, 0)], fence: fenceOf(u.na) }),
        'unknown_attempt',
        'unknown attempt: ',
      );
      assert.deepEqual(await snapshot(stores, u.nr.runId), { run: null, attempts: [], events: [], artifacts: [] });
      // A higher fence epoch is adopted by the new attempt, like appendEvents.
      const h = fresh();
      await stores.ledger.startAttempt({ run: h.nr, attempt: h.na, events: h.events, fence: { aggregatorId: 'agg_next', aggregatorEpoch: h.na.aggregatorEpoch + 1 } });
      assert.deepEqual(await stores.ledger.fetchAttempt(h.na.attemptId), { ...h.na, aggregatorId: 'agg_next', aggregatorEpoch: h.na.aggregatorEpoch + 1 });
    },
  },
  {
    id: 'ledger.start_attempt.in_transaction',
    title: 'startAttempt inside a transaction: a rejection undoes only itself; a rollback undoes it',
    async run({ stores }) {
      const { r } = await started(stores);
      const other = run({ runId: `run_${uid()}`, status: 'running' });
      const oa = attempt(other.runId, 1);
      await stores.transaction(async (tx) => {
        await rejectsWithCode(tx.ledger.startAttempt({ run: r, attempt: attempt(r.runId, 2), events: [], fence: fenceOf(oa) }), 'duplicate_record');
        await tx.ledger.startAttempt({ run: other, attempt: oa, events: [event(other.runId, 1, 0)], fence: fenceOf(oa) });
      });
      assert.equal((await stores.ledger.listAttempts(r.runId)).length, 1);
      assert.deepEqual((await stores.ledger.fetchRun(other.runId)), other);
      const third = run({ runId: `run_${uid()}` });
      const ta = attempt(third.runId, 1);
      await assert.rejects(
        stores.transaction(async (tx) => {
          await tx.ledger.startAttempt({ run: third, attempt: ta, events: [event(third.runId, 1, 0)], fence: fenceOf(ta) });
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(await snapshot(stores, third.runId), { run: null, attempts: [], events: [], artifacts: [] });
    },
  },
  {
    id: 'ledger.complete_attempt.writes_all',
    title: 'completeAttempt stores artifacts, events, the attempt and the run patch and returns the stored records',
    async run({ stores }) {
      const { r, a } = await started(stores);
      const arts = [artifact(r.runId, `art_${uid()}`), artifact(r.runId, `art_${uid()}`)];
      const events = [event(r.runId, 1, 1, { type: 'attempt.completed' }), event(r.runId, 1, 2, { type: 'run.completed' })];
      const result = await stores.ledger.completeAttempt({
        runId: r.runId,
        attemptId: a.attemptId,
        expectLatestAttempt: 1,
        artifacts: arts,
        events,
        fence: fenceOf(a),
        attemptPatch: { status: 'completed', output: { ok: true, text: 'nul\u0000 🚀' }, runtimeRefId: 'rt_1', updatedAt: at(50) },
        runPatch: { status: 'completed', result: { ok: true, text: 'nul\u0000 🚀' }, error: undefined, updatedAt: at(50) },
        // A stale hint: the outcome is computed from the stored records, never from the hint.
        current: { run: { ...r, status: 'accepted', tenantId: 'stale' }, attempt: { ...a, runtimeRefId: 'stale' } },
      });
      assert.equal(result.applied, true);
      if (!result.applied) return;
      assert.deepEqual(result.attempt, { ...a, status: 'completed', output: { ok: true, text: 'nul\u0000 🚀' }, runtimeRefId: 'rt_1', updatedAt: at(50) });
      const { error: _dropped, ...withoutError } = r;
      assert.deepEqual(result.run, { ...withoutError, status: 'completed', result: { ok: true, text: 'nul\u0000 🚀' }, updatedAt: at(50) });
      const after = await snapshot(stores, r.runId);
      assert.deepEqual(after.run, result.run);
      assert.deepEqual(after.attempts, [result.attempt]);
      assert.deepEqual(after.events.map((e) => e.type), ['run.started', 'attempt.completed', 'run.completed']);
      assert.deepEqual(after.artifacts, arts);
    },
  },
  {
    id: 'ledger.complete_attempt.superseded_and_rejections',
    title: 'completeAttempt: a newer attempt → applied false with nothing written; fence, unknown ids and event_conflict write nothing',
    async run({ stores }) {
      const { r, a } = await started(stores);
      const input = (overrides: Record<string, unknown> = {}) => ({
        runId: r.runId,
        attemptId: a.attemptId,
        expectLatestAttempt: 1,
        artifacts: [artifact(r.runId, `art_${uid()}`)],
        events: [event(r.runId, 1, 1, { type: 'attempt.completed' }), event(r.runId, 1, 2, { type: 'run.completed' })],
        fence: fenceOf(a),
        attemptPatch: { status: 'completed' as const, updatedAt: at(60) },
        runPatch: { status: 'completed' as const, updatedAt: at(60) },
        current: { run: r, attempt: a },
        ...overrides,
      });
      const before = await snapshot(stores, r.runId);
      await rejectsWithCode(stores.ledger.completeAttempt(input({ fence: { aggregatorId: 'intruder', aggregatorEpoch: a.aggregatorEpoch } })), 'aggregator_id_mismatch');
      await rejectsWithCode(stores.ledger.completeAttempt(input({ fence: { aggregatorId: a.aggregatorId, aggregatorEpoch: a.aggregatorEpoch - 1 } })), 'stale_aggregator_epoch');
      await rejectsWithCode(stores.ledger.completeAttempt(input({ attemptId: `${r.runId}:9`, events: [] })), 'unknown_attempt');
      await rejectsWithCode(stores.ledger.completeAttempt(input({ events: [event(r.runId, 1, 0, { type: 'not.the.same' })] })), 'event_conflict');
      assert.deepEqual(await snapshot(stores, r.runId), before);
      // The run is missing (events and attempt under a run id the ledger has no run for).
      const orphan = `run_${uid()}`;
      const oa = attempt(orphan, 1);
      await stores.ledger.putAttempt(oa);
      await rejectsWithCode(
        stores.ledger.completeAttempt({ ...input(), runId: orphan, attemptId: oa.attemptId, artifacts: [artifact(orphan, `art_${uid()}`)], events: [event(orphan, 1, 0)] }),
        'unknown_run',
      );
      assert.deepEqual(await snapshot(stores, orphan), { run: null, attempts: [oa], events: [], artifacts: [] });
      // A newer attempt supersedes attempt 1.
      const second = attempt(r.runId, 2);
      await stores.ledger.putAttempt(second);
      const withSecond = await snapshot(stores, r.runId);
      assert.deepEqual(await stores.ledger.completeAttempt(input()), { applied: false, latestAttempt: 2 });
      assert.deepEqual(await snapshot(stores, r.runId), withSecond);
      // Inside a transaction that rolls back, an applied completion is undone.
      await assert.rejects(
        stores.transaction(async (tx) => {
          const done = await tx.ledger.completeAttempt(input({ attemptId: second.attemptId, expectLatestAttempt: 2, events: [event(r.runId, 2, 0)], fence: fenceOf(second) }));
          assert.equal(done.applied, true);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(await snapshot(stores, r.runId), withSecond);
    },
  },
  {
    id: 'concurrency.complete_attempt_writers',
    title: 'completeAttempt racing updateRun and updateAttempt from a second connection: the result is some serial order, no lost update',
    async run(ctx) {
      const second = await ctx.connect();
      for (let round = 0; round < 6; round += 1) {
        const { r, a } = await started(ctx.stores);
        const runPatch = { status: 'completed' as const, result: { by: 'complete', round }, updatedAt: at(70) };
        const attemptPatch = { status: 'completed' as const, output: { by: 'complete' }, updatedAt: at(70) };
        const otherRun = { status: 'failed' as const, error: { code: 'other_writer', message: 'm', retryable: false, details: {} }, updatedAt: at(71) };
        const otherAttempt = { status: 'failed' as const, runtimeRefId: `rt_${round}`, updatedAt: at(71) };
        const [done] = await Promise.all([
          ctx.stores.ledger.completeAttempt({
            runId: r.runId,
            attemptId: a.attemptId,
            expectLatestAttempt: 1,
            artifacts: [],
            events: [event(r.runId, 1, 1, { type: 'run.completed' })],
            fence: fenceOf(a),
            attemptPatch,
            runPatch,
            current: { run: r, attempt: a },
          }),
          round % 2 === 0 ? second.ledger.updateRun(r.runId, otherRun) : second.ledger.updateAttempt(a.attemptId, otherAttempt, fenceOf(a)),
        ]);
        assert.equal(done.applied, true);
        const storedRun = await ctx.stores.ledger.fetchRun(r.runId);
        const storedAttempt = await ctx.stores.ledger.fetchAttempt(a.attemptId);
        const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
        if (round % 2 === 0) {
          const orders = [plain({ ...r, ...runPatch, ...otherRun }), plain({ ...r, ...otherRun, ...runPatch })];
          assert.ok(orders.some((o) => JSON.stringify(o) === JSON.stringify(storedRun)), `run is no serial order: ${JSON.stringify(storedRun)}`);
          assert.deepEqual(storedAttempt, plain({ ...a, ...attemptPatch }));
        } else {
          const orders = [plain({ ...a, ...attemptPatch, ...otherAttempt }), plain({ ...a, ...otherAttempt, ...attemptPatch })];
          assert.ok(orders.some((o) => JSON.stringify(o) === JSON.stringify(storedAttempt)), `attempt is no serial order: ${JSON.stringify(storedAttempt)}`);
          assert.deepEqual(storedRun, plain({ ...r, ...runPatch }));
        }
        assert.deepEqual((await ctx.stores.ledger.listEvents(r.runId)).map((e) => e.type), ['run.started', 'run.completed']);
      }
    },
  },
];
