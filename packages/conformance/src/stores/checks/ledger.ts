import type { StoreCheck } from '../battery';
import { assert, rejectsWithCode } from '../assert';
import { artifact, at, attempt, event, run, target, uid } from '../fixtures';

export const ledgerChecks: StoreCheck[] = [
  {
    id: 'ledger.runs.crud_and_order',
    title: 'runs round-trip exactly, list by createdAt then runId, filter and limit',
    async run({ stores }) {
      const s = uid();
      const a = run({ runId: `run_${s}_b`, tenantId: 't1', status: 'completed' }, 10);
      const b = run({ runId: `run_${s}_a`, tenantId: 't1', connectorId: 'other', capabilityId: 'other.op' }, 10);
      const c = run({ runId: `run_${s}_c`, tenantId: 't2' }, 5);
      for (const r of [a, b, c]) await stores.ledger.putRun(r);
      assert.deepEqual(await stores.ledger.fetchRun(a.runId), a);
      assert.equal(await stores.ledger.fetchRun(`run_${s}_missing`), null);
      assert.deepEqual((await stores.ledger.listRuns()).map((r) => r.runId), [c.runId, b.runId, a.runId]);
      assert.deepEqual((await stores.ledger.listRuns({ tenantId: 't1' })).map((r) => r.runId), [b.runId, a.runId]);
      assert.deepEqual((await stores.ledger.listRuns({ connectorId: 'other' })).map((r) => r.runId), [b.runId]);
      assert.deepEqual((await stores.ledger.listRuns({ capabilityId: 'acme.issue.create', status: 'accepted' })).map((r) => r.runId), [c.runId]);
      assert.deepEqual((await stores.ledger.listRuns({ limit: 2 })).map((r) => r.runId), [c.runId, b.runId]);
    },
  },
  {
    id: 'ledger.runs.duplicate_and_update',
    title: 'putRun of an existing id is duplicate_record; updateRun merges the patch; unknown run is unknown_run',
    async run({ stores }) {
      const r = run({ runId: `run_${uid()}` });
      await stores.ledger.putRun(r);
      await rejectsWithCode(stores.ledger.putRun({ ...r, status: 'failed' }), 'duplicate_record');
      assert.equal((await stores.ledger.fetchRun(r.runId))?.status, 'accepted', 'a rejected duplicate must not overwrite');
      const updated = await stores.ledger.updateRun(r.runId, { status: 'completed', result: { ok: true, n: 2 }, updatedAt: at(99) });
      assert.deepEqual(updated, { ...r, status: 'completed', result: { ok: true, n: 2 }, updatedAt: at(99) });
      assert.deepEqual(await stores.ledger.fetchRun(r.runId), updated);
      assert.deepEqual((await stores.ledger.listRuns({ status: 'completed' })).map((x) => x.runId), [r.runId]);
      await rejectsWithCode(stores.ledger.updateRun(`run_${uid()}`, { status: 'failed', updatedAt: at(1) }), 'unknown_run');

      // A patch key set to undefined is dropped (JSON semantics); unusual characters survive updates.
      const odd = run({ runId: `run_${uid()}`, input: { text: 'nul\u0000 tab\t emoji 🚀 quote" backslash\\', big: 2 ** 53 - 1, neg: -0.5 } });
      await stores.ledger.putRun(odd);
      const cleared = await stores.ledger.updateRun(odd.runId, { status: 'failed', result: undefined, error: { code: 'x', message: 'm', retryable: false, details: {} }, updatedAt: at(3) });
      assert.equal('result' in cleared, false);
      assert.deepEqual(cleared.input, odd.input);
      assert.deepEqual(await stores.ledger.fetchRun(odd.runId), cleared);
    },
  },
  {
    id: 'ledger.runs.idempotency_key',
    title: 'findRunByIdempotencyKey finds the run per capability; a second run with the key is duplicate_record',
    async run({ stores }) {
      const s = uid();
      const r = run({ runId: `run_${s}_1`, idempotencyKey: `key-${s}` });
      await stores.ledger.putRun(r);
      await stores.ledger.putRun(run({ runId: `run_${s}_2`, idempotencyKey: `key-${s}`, capabilityId: 'other.op' }));
      assert.deepEqual(await stores.ledger.findRunByIdempotencyKey('acme.issue.create', `key-${s}`), r);
      assert.equal((await stores.ledger.findRunByIdempotencyKey('other.op', `key-${s}`))?.runId, `run_${s}_2`);
      assert.equal(await stores.ledger.findRunByIdempotencyKey('acme.issue.create', `nope-${s}`), null);
      const error = await rejectsWithCode(stores.ledger.putRun(run({ runId: `run_${s}_3`, idempotencyKey: `key-${s}` })), 'duplicate_record');
      assert.ok(error.message.length > 0);
      assert.equal(await stores.ledger.fetchRun(`run_${s}_3`), null);
    },
  },
  {
    id: 'ledger.attempts.crud_and_order',
    title: 'attempts round-trip, list by attempt number, duplicate_record on an existing id',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      await stores.ledger.putRun(run({ runId }));
      const a3 = attempt(runId, 3);
      const a1 = attempt(runId, 1, { status: 'failed', error: { code: 'connector_timeout', message: 'slow', retryable: true, details: {} } });
      const a2 = attempt(runId, 2);
      for (const a of [a3, a1, a2]) await stores.ledger.putAttempt(a);
      assert.deepEqual(await stores.ledger.fetchAttempt(a1.attemptId), a1);
      assert.equal(await stores.ledger.fetchAttempt(`${runId}:9`), null);
      assert.deepEqual((await stores.ledger.listAttempts(runId)).map((a) => a.attempt), [1, 2, 3]);
      assert.deepEqual(await stores.ledger.listAttempts(`run_${uid()}`), []);
      await rejectsWithCode(stores.ledger.putAttempt({ ...a2, status: 'completed' }), 'duplicate_record');
      assert.equal((await stores.ledger.fetchAttempt(a2.attemptId))?.status, 'running');
    },
  },
  {
    id: 'ledger.attempts.fencing',
    title: 'updateAttempt: older epoch stale_aggregator_epoch, same epoch other id aggregator_id_mismatch, newer adopted',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      const a = attempt(runId, 1, { aggregatorId: 'agg-a', aggregatorEpoch: 2 });
      await stores.ledger.putAttempt(a);
      const stale = await rejectsWithCode(
        stores.ledger.updateAttempt(a.attemptId, { status: 'completed', updatedAt: at(5) }, { aggregatorId: 'agg-a', aggregatorEpoch: 1 }),
        'stale_aggregator_epoch',
      );
      assert.equal((stale as unknown as { details: Record<string, unknown> }).details.storedEpoch, 2);
      await rejectsWithCode(
        stores.ledger.updateAttempt(a.attemptId, { status: 'completed', updatedAt: at(5) }, { aggregatorId: 'agg-b', aggregatorEpoch: 2 }),
        'aggregator_id_mismatch',
      );
      assert.deepEqual(await stores.ledger.fetchAttempt(a.attemptId), a, 'rejected updates write nothing');
      const same = await stores.ledger.updateAttempt(a.attemptId, { status: 'running', runtimeRefId: 'ref-1', updatedAt: at(6) }, { aggregatorId: 'agg-a', aggregatorEpoch: 2 });
      assert.equal(same.runtimeRefId, 'ref-1');
      const adopted = await stores.ledger.updateAttempt(
        a.attemptId,
        { status: 'completed', output: { done: true }, updatedAt: at(7) },
        { aggregatorId: 'agg-b', aggregatorEpoch: 3 },
      );
      assert.deepEqual(adopted, { ...a, status: 'completed', runtimeRefId: 'ref-1', output: { done: true }, updatedAt: at(7), aggregatorId: 'agg-b', aggregatorEpoch: 3 });
      assert.deepEqual(await stores.ledger.fetchAttempt(a.attemptId), adopted);
      await rejectsWithCode(
        stores.ledger.updateAttempt(a.attemptId, { status: 'failed', updatedAt: at(8) }, { aggregatorId: 'agg-a', aggregatorEpoch: 2 }),
        'stale_aggregator_epoch',
      );
      await rejectsWithCode(
        stores.ledger.updateAttempt(`${runId}:7`, { status: 'failed', updatedAt: at(8) }, { aggregatorId: 'agg-a', aggregatorEpoch: 9 }),
        'unknown_attempt',
      );
    },
  },
  {
    id: 'ledger.events.order_and_next_seq',
    title: 'events list run-level first, then by attempt, then seq; nextSeq per (run, attempt)',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      assert.equal(await stores.ledger.nextSeq(runId, null), 0);
      assert.equal(await stores.ledger.nextSeq(runId, `${runId}:1`), 0);
      await stores.ledger.appendEvents([event(runId, 2, 1), event(runId, 2, 0)]);
      await stores.ledger.appendEvents([event(runId, 1, 0), event(runId, 1, 1), event(runId, 1, 2)]);
      await stores.ledger.appendEvents([event(runId, null, 0, { type: 'run.accepted' }), event(runId, null, 1)]);
      await stores.ledger.appendEvents([event(`run_${uid()}`, null, 0)]);
      const listed = await stores.ledger.listEvents(runId);
      assert.deepEqual(
        listed.map((e) => [e.attempt, e.seq]),
        [
          [null, 0],
          [null, 1],
          [1, 0],
          [1, 1],
          [1, 2],
          [2, 0],
          [2, 1],
        ],
      );
      assert.equal(listed[0]!.type, 'run.accepted');
      assert.equal(await stores.ledger.nextSeq(runId, null), 2);
      assert.equal(await stores.ledger.nextSeq(runId, `${runId}:1`), 3);
      assert.equal(await stores.ledger.nextSeq(runId, `${runId}:2`), 2);
      assert.equal(await stores.ledger.nextSeq(runId, `${runId}:3`), 0);
      const e = event(runId, 3, 0, { stream: 'stderr', level: 'warn', payload: { text: 'ünïcødé ✓ nul\u0000', deep: { a: [1, { b: null }] } } });
      await stores.ledger.appendEvents([e]);
      assert.deepEqual((await stores.ledger.listEvents(runId)).at(-1), e, 'events round-trip exactly');
    },
  },
  {
    id: 'ledger.events.position_idempotency',
    title: 'the same event at a position is a no-op; a different one is event_conflict and the batch writes nothing',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      const e0 = event(runId, 1, 0);
      const e1 = event(runId, 1, 1);
      await stores.ledger.appendEvents([e0, e1]);
      await stores.ledger.appendEvents([e0, e1, { ...e1, eventId: 'evt_other_id', ts: at(5000) }]);
      assert.equal((await stores.ledger.listEvents(runId)).length, 2, 'identical re-append (even with another id and ts) is a no-op');
      const error = await rejectsWithCode(
        stores.ledger.appendEvents([event(runId, 1, 2), { ...e1, payload: { changed: true } }]),
        'event_conflict',
      );
      assert.deepEqual((error as unknown as { details: Record<string, unknown> }).details, { runId, attemptId: `${runId}:1`, seq: 1 });
      assert.deepEqual((await stores.ledger.listEvents(runId)).map((e) => e.seq), [0, 1], 'a conflicting batch appends nothing');
      await rejectsWithCode(stores.ledger.appendEvents([event(runId, 1, 5), event(runId, 1, 5, { type: 'other' })]), 'event_conflict', 'within one batch: ');
      assert.equal(await stores.ledger.nextSeq(runId, `${runId}:1`), 2);
      await stores.ledger.appendEvents([event(runId, 1, 7), event(runId, 1, 7)]);
      assert.deepEqual((await stores.ledger.listEvents(runId)).map((e) => e.seq), [0, 1, 7]);
    },
  },
  {
    id: 'ledger.events.position_idempotency_at_scale',
    title: 'position rules hold for long runs and long batches, and a rolled-back batch frees its positions',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      const long = Array.from({ length: 40 }, (_, seq) => event(runId, 1, seq));
      // A long batch repeating itself: the second copy of each event is a no-op.
      await stores.ledger.appendEvents([...long, ...long]);
      assert.equal((await stores.ledger.listEvents(runId)).length, 40);
      await stores.ledger.appendEvents([long[3]!, event(runId, 1, 40)]);
      await rejectsWithCode(stores.ledger.appendEvents([event(runId, 1, 41), { ...long[2]!, payload: { changed: true } }]), 'event_conflict', 'an early position of a long run: ');
      const batchConflict = [...Array.from({ length: 30 }, (_, i) => event(runId, 2, i)), event(runId, 2, 4, { type: 'other' })];
      await rejectsWithCode(stores.ledger.appendEvents(batchConflict), 'event_conflict', 'within a long batch: ');
      assert.equal((await stores.ledger.listEvents(runId)).length, 41, 'conflicting batches append nothing');

      const rolledBack = `run_${uid()}`;
      const failure = new Error('roll back');
      const thrown = await stores
        .transaction(async (tx) => {
          await tx.ledger.appendEvents(Array.from({ length: 20 }, (_, seq) => event(rolledBack, 1, seq)));
          await tx.ledger.appendEvents([event(rolledBack, 1, 20)]);
          throw failure;
        })
        .catch((error: unknown) => error);
      assert.equal(thrown, failure);
      assert.deepEqual(await stores.ledger.listEvents(rolledBack), []);
      await stores.ledger.appendEvents([event(rolledBack, 1, 5, { type: 'after_rollback' })]);
      assert.deepEqual((await stores.ledger.listEvents(rolledBack)).map((e) => e.type), ['after_rollback']);
    },
  },
  {
    id: 'ledger.events.fencing',
    title: 'appendEvents with a fence: stale epoch and id mismatch rejected, a newer epoch is adopted, unknown attempt',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      const a = attempt(runId, 1, { aggregatorId: 'agg-a', aggregatorEpoch: 2 });
      await stores.ledger.putAttempt(a);
      await rejectsWithCode(stores.ledger.appendEvents([event(runId, 1, 0)], { aggregatorId: 'agg-a', aggregatorEpoch: 1 }), 'stale_aggregator_epoch');
      await rejectsWithCode(stores.ledger.appendEvents([event(runId, 1, 0)], { aggregatorId: 'agg-x', aggregatorEpoch: 2 }), 'aggregator_id_mismatch');
      assert.deepEqual(await stores.ledger.listEvents(runId), []);
      await stores.ledger.appendEvents([event(runId, 1, 0)], { aggregatorId: 'agg-a', aggregatorEpoch: 2 });
      assert.deepEqual(await stores.ledger.fetchAttempt(a.attemptId), a, 'same epoch leaves the attempt untouched');
      await stores.ledger.appendEvents([event(runId, 1, 1)], { aggregatorId: 'agg-b', aggregatorEpoch: 4 });
      assert.deepEqual(await stores.ledger.fetchAttempt(a.attemptId), { ...a, aggregatorId: 'agg-b', aggregatorEpoch: 4 });
      await rejectsWithCode(stores.ledger.appendEvents([event(runId, 1, 2)], { aggregatorId: 'agg-b', aggregatorEpoch: 3 }), 'stale_aggregator_epoch');
      await rejectsWithCode(stores.ledger.appendEvents([event(runId, 2, 0)], { aggregatorId: 'agg-b', aggregatorEpoch: 4 }), 'unknown_attempt');
      await stores.ledger.appendEvents([event(runId, null, 0)], { aggregatorId: 'agg-z', aggregatorEpoch: 1 });
      assert.deepEqual((await stores.ledger.listEvents(runId)).map((e) => [e.attempt, e.seq]), [[null, 0], [1, 0], [1, 1]]);

      // A batch over two attempts where the second fails the fence adopts nothing on the first.
      const other = `run_${uid()}`;
      const low = attempt(other, 1, { aggregatorId: 'agg-a', aggregatorEpoch: 1 });
      const high = attempt(other, 2, { aggregatorId: 'agg-a', aggregatorEpoch: 3 });
      await stores.ledger.putAttempt(low);
      await stores.ledger.putAttempt(high);
      await rejectsWithCode(
        stores.ledger.appendEvents([event(other, 1, 0), event(other, 2, 0)], { aggregatorId: 'agg-b', aggregatorEpoch: 2 }),
        'stale_aggregator_epoch',
      );
      assert.deepEqual(await stores.ledger.fetchAttempt(low.attemptId), low, 'a rejected batch adopts no epoch');
      assert.deepEqual(await stores.ledger.listEvents(other), []);
    },
  },
  {
    id: 'ledger.artifacts_and_targets',
    title: 'artifacts upsert and list in insertion order; targets upsert and list by targetId',
    async run({ stores }) {
      const runId = `run_${uid()}`;
      const x = artifact(runId, 'art_x');
      const a = artifact(runId, 'art_a');
      await stores.ledger.putArtifact(x);
      await stores.ledger.putArtifact(a);
      await stores.ledger.putArtifact(artifact(`run_${uid()}`, 'art_other'));
      const x2 = { ...x, redactionStatus: 'redacted' as const, metadata: { again: true } };
      await stores.ledger.putArtifact(x2);
      assert.deepEqual(await stores.ledger.listArtifacts(runId), [x2, a], 'an upsert keeps its place');
      assert.deepEqual(await stores.ledger.fetchArtifact('art_a'), a);
      assert.equal(await stores.ledger.fetchArtifact('art_missing'), null);
      const tz = target('tgt_z');
      const ta = target('tgt_a', { health: 'degraded' });
      await stores.ledger.putTarget(tz);
      await stores.ledger.putTarget(ta);
      const tz2 = { ...tz, version: '2.0.0' };
      await stores.ledger.putTarget(tz2);
      assert.deepEqual(await stores.ledger.listTargets(), [ta, tz2]);
      assert.deepEqual(await stores.ledger.fetchTarget('tgt_z'), tz2);
      assert.equal(await stores.ledger.fetchTarget('tgt_missing'), null);
    },
  },
];
