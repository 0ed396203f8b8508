import type { StoreCheck } from '../battery';
import { assert, codeOf, settleAll } from '../assert';
import { T0, at, attempt, event, job, run } from '../fixtures';

const scope = { tenantId: 'tenant-a', connectorId: 'acme', triggerId: 'acme.issue.opened', dedupeKey: 'dk-race' };

export const concurrencyChecks: StoreCheck[] = [
  {
    id: 'concurrency.dedupe_race',
    title: 'two connections reserving one dedupe key at once: exactly one reserves',
    async run(ctx) {
      const second = await ctx.connect();
      for (let round = 0; round < 5; round += 1) {
        const key = { ...scope, dedupeKey: `dk-race-${round}` };
        const { ok } = await settleAll([ctx.stores, second, ctx.stores, second].map((s) => s.ingress.reserveDedupe(key, at(10_000), at(0))));
        assert.deepEqual(ok.sort(), ['duplicate', 'duplicate', 'duplicate', 'reserved']);
      }
    },
  },
  {
    id: 'concurrency.admission_race_in_transactions',
    title: 'concurrent admission transactions on one dedupe key: exactly one creates a run',
    async run(ctx) {
      const second = await ctx.connect().catch(() => ctx.stores);
      const admit = (stores: typeof ctx.stores, n: number) =>
        stores.transaction(async (tx) => {
          if ((await tx.ingress.reserveDedupe(scope, at(10_000), at(0))) === 'duplicate') return null;
          await tx.ledger.putRun(run({ runId: `run_race_${n}` }));
          await tx.ledger.appendEvents([event(`run_race_${n}`, null, 0, { type: 'run.accepted' })]);
          return n;
        });
      const { ok, errors } = await settleAll([admit(ctx.stores, 1), admit(second, 2), admit(ctx.stores, 3), admit(second, 4)]);
      const retryable = errors.filter((e) => codeOf(e) === 'store_unavailable');
      assert.equal(retryable.length, errors.length, `only retryable store_unavailable failures are allowed: ${errors.map(String).join('; ')}`);
      assert.equal(ok.filter((n) => n !== null).length, 1, `winners: ${JSON.stringify(ok)}`);
      assert.equal((await ctx.stores.ledger.listRuns()).length, 1);
    },
  },
  {
    id: 'concurrency.put_attempt_race',
    title: 'putAttempt of one attempt id from two connections: one wins, the other gets duplicate_record',
    async run(ctx) {
      const second = await ctx.connect();
      await ctx.stores.ledger.putRun(run({ runId: 'run_pa' }));
      for (let n = 1; n <= 5; n += 1) {
        const { ok, errors } = await settleAll([ctx.stores, second].map((s, i) => s.ledger.putAttempt(attempt('run_pa', n, { runtimeRefId: `from-${i}` }))));
        assert.equal(ok.length, 1);
        assert.deepEqual(errors.map(codeOf), ['duplicate_record']);
      }
      assert.deepEqual((await second.ledger.listAttempts('run_pa')).map((a) => a.attempt), [1, 2, 3, 4, 5]);
    },
  },
  {
    id: 'concurrency.event_position_race',
    title: 'two different events appended at one position from two connections: one lands, the other is event_conflict',
    async run(ctx) {
      const second = await ctx.connect();
      for (let seq = 0; seq < 5; seq += 1) {
        const { ok, errors } = await settleAll([
          ctx.stores.ledger.appendEvents([event('run_ev', 1, seq, { type: 'from.first' })]),
          second.ledger.appendEvents([event('run_ev', 1, seq, { type: 'from.second' })]),
        ]);
        assert.equal(ok.length, 1);
        assert.deepEqual(errors.map(codeOf), ['event_conflict']);
      }
      assert.equal((await ctx.stores.ledger.listEvents('run_ev')).length, 5);
    },
  },
  {
    id: 'concurrency.claim_race',
    title: 'two connections claiming the same queue: every job is claimed exactly once',
    async run(ctx) {
      const second = await ctx.connect();
      for (let i = 0; i < 30; i += 1) await ctx.stores.dispatch.enqueue(job(`disp_${String(i).padStart(2, '0')}`));
      const claimedBy = new Map<string, string>();
      const worker = async (stores: typeof ctx.stores, id: string) => {
        for (;;) {
          const jobs = await stores.dispatch.claim({ leaseOwner: id, limit: 4, leaseMs: 60_000, now: T0 + 1000 });
          if (jobs.length === 0) return;
          for (const j of jobs) {
            assert.ok(!claimedBy.has(j.dispatchId), `${j.dispatchId} claimed by ${claimedBy.get(j.dispatchId)} and ${id}`);
            claimedBy.set(j.dispatchId, id);
          }
        }
      };
      await Promise.all([worker(ctx.stores, 'w1'), worker(second, 'w2'), worker(ctx.stores, 'w3'), worker(second, 'w4')]);
      assert.equal(claimedBy.size, 30);
      const running = await ctx.stores.dispatch.listJobs({ status: 'running' });
      assert.equal(running.length, 30);
      for (const j of running) {
        assert.equal(j.attempts, 1);
        assert.equal(j.lockedBy, claimedBy.get(j.dispatchId));
      }
    },
  },
];
