import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PG_URL, postgresProblem } from '@integration/test-kit';
import { isIntegrationError, isoAt, type DispatchSettlement, type StoreSet, type Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { sqliteStores } from '@integration/store-local';
import { postgresStores } from '@integration/store-postgres';
import { T0, artifact, attempt, checkpoint, event, job, route, run } from '../src/stores/fixtures';

/**
 * Model-based differential test: random sequences of store operations (with colliding ids,
 * conflicting events, stale fences, expiring dedupe keys, racing workers and rolled-back
 * transactions) run against the memory tier and a durable tier; every result, every error
 * (code, message, details) and the final contents must be identical.
 */

const at = (s: number) => isoAt(T0 + s * 1000);
const runId = (i: number) => `run_${i}`;

type Op =
  | { kind: 'putRun'; r: number; key: number | null; cap: number }
  | { kind: 'updateRun'; r: number; status: 'running' | 'completed' | 'failed' }
  | { kind: 'putAttempt'; r: number; n: number; epoch: number; agg: string }
  | { kind: 'updateAttempt'; r: number; n: number; epoch: number; agg: string }
  | { kind: 'append'; events: Array<{ r: number; n: number | null; seq: number; type: string }>; fence: { epoch: number; agg: string } | null }
  | { kind: 'nextSeq'; r: number; n: number | null }
  | {
      kind: 'startAttempt';
      r: number;
      n: number;
      key: number | null;
      epoch: number;
      agg: string;
      fence: { epoch: number; agg: string };
      events: Array<{ n: number | null; seq: number; type: string }>;
    }
  | {
      kind: 'completeAttempt';
      r: number;
      n: number;
      expect: number;
      fence: { epoch: number; agg: string };
      events: Array<{ n: number | null; seq: number; type: string }>;
      artifacts: number[];
      hint: 'none' | 'stored' | 'stale';
    }
  | { kind: 'reserve'; k: number; expires: number; now: number }
  | { kind: 'sweep'; now: number }
  | { kind: 'checkpoint'; p: number; cursor: string }
  | { kind: 'enqueue'; j: number; available: number }
  | { kind: 'claim'; worker: string; limit: number; lease: number; now: number }
  | { kind: 'heartbeat'; js: number[]; worker: string; until: number }
  | { kind: 'settle'; j: number; worker: string; outcome: 'completed' | 'retry' | 'dead' | 'released'; at: number }
  | { kind: 'replay'; limit: number | null; now: number }
  | { kind: 'putRoute'; id: number; disabled: boolean }
  | { kind: 'removeRoute'; id: number };

type Step = Op | { kind: 'tx'; ops: Op[]; fail: boolean };

const small = (max: number) => fc.integer({ min: 0, max });
const fenceArb = fc.record({ epoch: fc.integer({ min: 1, max: 3 }), agg: fc.constantFrom('a', 'b') });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('putRun' as const), r: small(3), key: fc.option(small(1), { nil: null }), cap: small(1) }),
  fc.record({ kind: fc.constant('updateRun' as const), r: small(3), status: fc.constantFrom('running' as const, 'completed' as const, 'failed' as const) }),
  fc.record({ kind: fc.constant('putAttempt' as const), r: small(3), n: fc.integer({ min: 1, max: 2 }), epoch: fc.integer({ min: 1, max: 3 }), agg: fc.constantFrom('a', 'b') }),
  fc.record({ kind: fc.constant('updateAttempt' as const), r: small(3), n: fc.integer({ min: 1, max: 2 }), epoch: fc.integer({ min: 1, max: 3 }), agg: fc.constantFrom('a', 'b') }),
  fc.record({
    kind: fc.constant('append' as const),
    events: fc.array(fc.record({ r: small(2), n: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }), seq: small(2), type: fc.constantFrom('x', 'y') }), { minLength: 1, maxLength: 3 }),
    fence: fc.option(fenceArb, { nil: null }),
  }),
  fc.record({ kind: fc.constant('nextSeq' as const), r: small(2), n: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }) }),
  fc.record({
    kind: fc.constant('startAttempt' as const),
    r: small(3),
    n: fc.integer({ min: 1, max: 2 }),
    key: fc.option(small(1), { nil: null }),
    epoch: fc.integer({ min: 1, max: 3 }),
    agg: fc.constantFrom('a', 'b'),
    fence: fenceArb,
    events: fc.array(fc.record({ n: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }), seq: small(2), type: fc.constantFrom('x', 'y') }), { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('completeAttempt' as const),
    r: small(3),
    n: fc.integer({ min: 1, max: 2 }),
    expect: fc.integer({ min: 1, max: 2 }),
    fence: fenceArb,
    events: fc.array(fc.record({ n: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }), seq: small(3), type: fc.constantFrom('x', 'y') }), { maxLength: 3 }),
    artifacts: fc.array(small(2), { maxLength: 2 }),
    hint: fc.constantFrom('none' as const, 'stored' as const, 'stale' as const),
  }),
  fc.record({ kind: fc.constant('reserve' as const), k: small(2), expires: small(10), now: small(10) }),
  fc.record({ kind: fc.constant('sweep' as const), now: small(10) }),
  fc.record({ kind: fc.constant('checkpoint' as const), p: small(1), cursor: fc.constantFrom('c1', 'c2') }),
  fc.record({ kind: fc.constant('enqueue' as const), j: small(3), available: small(5) }),
  fc.record({ kind: fc.constant('claim' as const), worker: fc.constantFrom('w1', 'w2'), limit: fc.integer({ min: 1, max: 3 }), lease: fc.integer({ min: 1, max: 5 }), now: small(12) }),
  fc.record({ kind: fc.constant('heartbeat' as const), js: fc.array(small(3), { maxLength: 3 }), worker: fc.constantFrom('w1', 'w2'), until: small(15) }),
  fc.record({
    kind: fc.constant('settle' as const),
    j: small(3),
    worker: fc.constantFrom('w1', 'w2'),
    outcome: fc.constantFrom('completed' as const, 'retry' as const, 'dead' as const, 'released' as const),
    at: small(12),
  }),
  fc.record({ kind: fc.constant('replay' as const), limit: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), now: small(12) }),
  fc.record({ kind: fc.constant('putRoute' as const), id: small(2), disabled: fc.boolean() }),
  fc.record({ kind: fc.constant('removeRoute' as const), id: small(2) }),
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: opArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tx' as const), ops: fc.array(opArb, { minLength: 1, maxLength: 4 }), fail: fc.boolean() }) },
);

const dispatchError = (code: string, s: number) => ({ code, message: code, retryable: true, details: {}, stage: 'execution' as const, recordedAt: at(s) });

async function apply(s: StoreSet, op: Op): Promise<unknown> {
  switch (op.kind) {
    case 'putRun':
      return s.ledger.putRun(run({ runId: runId(op.r), idempotencyKey: op.key === null ? null : `k${op.key}`, capabilityId: `cap${op.cap}` }, op.r));
    case 'updateRun':
      return s.ledger.updateRun(runId(op.r), { status: op.status, result: op.status === 'completed' ? { ok: op.r } : undefined, updatedAt: at(20) });
    case 'putAttempt':
      return s.ledger.putAttempt(attempt(runId(op.r), op.n, { aggregatorEpoch: op.epoch, aggregatorId: op.agg }));
    case 'updateAttempt':
      return s.ledger.updateAttempt(`${runId(op.r)}:${op.n}`, { status: 'completed', output: { n: op.n }, updatedAt: at(21) }, { aggregatorEpoch: op.epoch, aggregatorId: op.agg });
    case 'append':
      return s.ledger.appendEvents(
        op.events.map((e) => event(runId(e.r), e.n, e.seq, { type: e.type, eventId: `evt_${e.r}_${e.n}_${e.seq}_${e.type}` })),
        op.fence ? { aggregatorEpoch: op.fence.epoch, aggregatorId: op.fence.agg } : undefined,
      );
    case 'nextSeq':
      return s.ledger.nextSeq(runId(op.r), op.n === null ? null : `${runId(op.r)}:${op.n}`);
    case 'startAttempt':
      return s.ledger.startAttempt({
        run: run({ runId: runId(op.r), status: 'running', idempotencyKey: op.key === null ? null : `k${op.key}` }, op.r),
        attempt: attempt(runId(op.r), op.n, { aggregatorEpoch: op.epoch, aggregatorId: op.agg }),
        events: op.events.map((e) => event(runId(op.r), e.n, e.seq, { type: e.type, eventId: `evt_${op.r}_${e.n}_${e.seq}_${e.type}` })),
        fence: { aggregatorEpoch: op.fence.epoch, aggregatorId: op.fence.agg },
      });
    case 'completeAttempt': {
      const id = runId(op.r);
      const attemptId = `${id}:${op.n}`;
      const [storedRun, storedAttempt] = [await s.ledger.fetchRun(id), await s.ledger.fetchAttempt(attemptId)];
      const current =
        op.hint === 'none' || !storedRun || !storedAttempt
          ? undefined
          : op.hint === 'stored'
            ? { run: storedRun, attempt: storedAttempt }
            : { run: { ...storedRun, status: 'accepted' as const }, attempt: { ...storedAttempt, runtimeRefId: 'stale' } };
      return s.ledger.completeAttempt({
        runId: id,
        attemptId,
        expectLatestAttempt: op.expect,
        artifacts: op.artifacts.map((a) => artifact(id, `art_${op.r}_${a}`, { attemptId })),
        events: op.events.map((e) => event(id, e.n, e.seq, { type: e.type, eventId: `evt_${op.r}_${e.n}_${e.seq}_${e.type}` })),
        fence: { aggregatorEpoch: op.fence.epoch, aggregatorId: op.fence.agg },
        attemptPatch: { status: 'completed', output: { n: op.n }, runtimeRefId: 'rt', updatedAt: at(22) },
        runPatch: { status: 'completed', result: { r: op.r }, updatedAt: at(22) },
        current,
      });
    }
    case 'reserve':
      return s.ingress.reserveDedupe({ tenantId: 't', connectorId: 'c', triggerId: 'tr', dedupeKey: `d${op.k}` }, at(op.expires), at(op.now));
    case 'sweep':
      return s.ingress.sweepDedupe(at(op.now));
    case 'checkpoint':
      return s.ingress.putCheckpoint(checkpoint(`p${op.p}`, { cursor: op.cursor }));
    case 'enqueue':
      return s.dispatch.enqueue(job(`disp_${op.j}`, { availableAt: at(op.available) }, op.j));
    case 'claim':
      return s.dispatch.claim({ leaseOwner: op.worker, limit: op.limit, leaseMs: op.lease * 1000, now: T0 + op.now * 1000 });
    case 'heartbeat':
      return s.dispatch.heartbeat(op.js.map((j) => `disp_${j}`), op.worker, at(op.until));
    case 'settle': {
      const settlement: DispatchSettlement =
        op.outcome === 'completed'
          ? { status: 'completed', at: T0 + op.at * 1000 }
          : op.outcome === 'retry'
            ? { status: 'retry_scheduled', availableAt: T0 + (op.at + 2) * 1000, error: dispatchError('connector_timeout', op.at), at: T0 + op.at * 1000 }
            : op.outcome === 'dead'
              ? { status: 'dead_lettered', error: dispatchError('policy_denied', op.at), at: T0 + op.at * 1000 }
              : { status: 'released', availableAt: T0 + op.at * 1000, at: T0 + op.at * 1000, undoAttempt: op.at % 2 === 0 };
      return s.dispatch.settle(`disp_${op.j}`, op.worker, settlement);
    }
    case 'replay':
      return s.dispatch.replay(op.limit === null ? {} : { limit: op.limit }, T0 + op.now * 1000);
    case 'putRoute':
      return s.routes.putRoute(route(`route_${op.id}`, { status: op.disabled ? 'disabled' : 'active' }));
    case 'removeRoute':
      return s.routes.removeRoute(`route_${op.id}`);
  }
}

const outcome = async (fn: () => Promise<unknown>) => {
  try {
    return { ok: (await fn()) ?? null };
  } catch (error) {
    if (!isIntegrationError(error)) return { thrown: String(error) };
    return { code: error.code, message: error.message, details: error.details };
  }
};

async function runStep(stores: Stores, step: Step): Promise<unknown> {
  if (step.kind !== 'tx') return outcome(() => apply(stores, step));
  const inner: unknown[] = [];
  const result = await outcome(() =>
    stores.transaction(async (tx) => {
      for (const op of step.ops) inner.push(await outcome(() => apply(tx, op)));
      if (step.fail) throw new Error('rollback');
      return inner.length;
    }),
  );
  return { inner, result };
}

async function contents(s: Stores) {
  const runs = await s.ledger.listRuns();
  return {
    runs,
    attempts: await Promise.all([0, 1, 2, 3].map((r) => s.ledger.listAttempts(runId(r)))),
    events: await Promise.all([0, 1, 2].map((r) => s.ledger.listEvents(runId(r)))),
    artifacts: await Promise.all([0, 1, 2].map((r) => s.ledger.listArtifacts(runId(r)))),
    idem: await Promise.all(['cap0', 'cap1'].flatMap((c) => ['k0', 'k1'].map((k) => s.ledger.findRunByIdempotencyKey(c, k)))),
    checkpoints: await Promise.all([0, 1].map((p) => s.ingress.fetchCheckpoint(checkpoint(`p${p}`)))),
    jobs: await s.dispatch.listJobs(),
    routes: await s.routes.listRoutes(),
    dedupe: await Promise.all([0, 1, 2].map((k) => s.ingress.reserveDedupe({ tenantId: 't', connectorId: 'c', triggerId: 'tr', dedupeKey: `d${k}` }, at(99), at(5)))),
  };
}

async function differential(open: () => Promise<{ stores: Stores; dispose: () => Promise<void> }>, numRuns: number) {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
      const reference = memoryStores();
      const { stores, dispose } = await open();
      try {
        for (const [i, step] of steps.entries()) {
          const expected = await runStep(reference, step);
          const actual = await runStep(stores, step);
          expect({ step: i, op: step, outcome: actual }).toEqual({ step: i, op: step, outcome: expected });
        }
        expect(await contents(stores)).toEqual(await contents(reference));
      } finally {
        await dispose();
        await reference.close();
      }
    }),
    { numRuns },
  );
}

const dir = mkdtempSync(join(tmpdir(), 'store-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

describe('durable tiers behave exactly like the memory tier (random operation sequences)', () => {
  it('sqlite', async () => {
    await differential(async () => {
      const stores = sqliteStores({ path: join(dir, `diff-${(files += 1)}.db`) });
      return { stores, dispose: () => stores.close() };
    }, Number(process.env.STORE_DIFF_RUNS ?? 60));
  }, 120_000);

  it('postgres', async (ctx) => {
    if ((await postgresProblem('stores-differential', PG_URL)) !== null) return ctx.skip();
    const url = PG_URL;
    const schema = `diff_${process.pid}_${Date.now().toString(36)}`;
    const stores = postgresStores({ connectionString: url, schema, max: 3 });
    await stores.migrate();
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    admin.on('error', () => undefined);
    const { rows } = await admin.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'`,
      [schema],
    );
    const truncate = `TRUNCATE ${rows.map((r) => `"${schema}"."${r.table_name}"`).join(', ')} RESTART IDENTITY`;
    try {
      await differential(async () => {
        await admin.query(truncate);
        return { stores, dispose: async () => undefined };
      }, Number(process.env.STORE_DIFF_RUNS_PG ?? 30));
    } finally {
      await stores.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  }, 300_000);
});
