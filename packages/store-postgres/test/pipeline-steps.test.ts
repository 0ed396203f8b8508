import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_CREDENTIAL_REF, AttemptSchema, EventSchema, RunSchema, type Attempt, type Run, type Stores } from '@integration/contracts';
import { pgProblem, schemaSandbox } from './support';

const problem = await pgProblem();
const sandbox = schemaSandbox();

async function open(): Promise<Stores> {
  const { stores } = sandbox.open('steps');
  await stores.migrate();
  return stores;
}

/** Every statement text sent by any pg client while `fn` runs. */
async function statements(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  const spy = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: string }).text ?? '';
    seen.push(text.replace(/\s+/g, ' ').trim());
    return (original as (...args: unknown[]) => unknown).call(this, config, ...rest);
  };
  pg.Client.prototype.query = spy as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return seen;
}

const ts = '2026-01-01T00:00:00.000Z';
const records = (runId: string): { run: Run; attempt: Attempt } => ({
  run: RunSchema.parse({ runId, capabilityId: 'c', connectorId: 'x', runtimeClass: 'direct', status: 'running', input: { n: 1 }, credentialRef: ANONYMOUS_CREDENTIAL_REF, createdAt: ts, updatedAt: ts }),
  attempt: AttemptSchema.parse({ attemptId: `${runId}:1`, runId, attempt: 1, status: 'running', runtimeClass: 'direct', createdAt: ts, updatedAt: ts }),
});
const event = (runId: string, seq: number, type = 'x') => EventSchema.parse({ eventId: `evt_${runId}_${seq}_${type}`, runId, attemptId: `${runId}:1`, attempt: 1, seq, type, ts });
const fence = { aggregatorId: 'control_plane', aggregatorEpoch: 1 };

describe.skipIf(problem !== null)('the invoke pipeline steps on Postgres', () => {
  it('outside a transaction, startAttempt is one statement and completeAttempt one statement with a matching hint', async () => {
    const stores = await open();
    const { run, attempt } = records('run_fast');
    const start = await statements(() => stores.ledger.startAttempt({ run, attempt, events: [event(run.runId, 0)], fence }));
    expect(start).toHaveLength(1);
    expect(start[0]).toMatch(/^WITH r AS \( INSERT INTO/);
    const completion = {
      runId: run.runId,
      attemptId: attempt.attemptId,
      expectLatestAttempt: 1,
      artifacts: [],
      events: [event(run.runId, 1), event(run.runId, 2)],
      fence,
      attemptPatch: { status: 'completed' as const, output: { n: 1 }, updatedAt: ts },
      runPatch: { status: 'completed' as const, result: { n: 1 }, updatedAt: ts },
    };
    const hinted = await statements(() => stores.ledger.completeAttempt({ ...completion, current: { run, attempt } }));
    expect(hinted).toHaveLength(1);
    expect((await stores.ledger.fetchRun(run.runId))?.status).toBe('completed');

    // A stale hint: the hinted statement writes nothing, then the records are read and written.
    const second = records('run_fast2');
    await stores.ledger.startAttempt({ run: second.run, attempt: second.attempt, events: [], fence });
    const unhinted = await statements(() =>
      stores.ledger.completeAttempt({ ...completion, runId: second.run.runId, attemptId: second.attempt.attemptId, events: [], current: { run: { ...second.run, status: 'failed' }, attempt: second.attempt } }),
    );
    expect(unhinted).toHaveLength(3);
    expect(unhinted[1]).toMatch(/^SELECT \(SELECT record::text/);
    expect((await stores.ledger.fetchAttempt(second.attempt.attemptId))?.status).toBe('completed');
  });

  it('a taken key fails the one-statement path without writing, and the composed calls give the exact error', async () => {
    const stores = await open();
    const { run, attempt } = records('run_dup');
    await stores.ledger.startAttempt({ run, attempt, events: [event(run.runId, 0)], fence });
    const other = records('run_dup_2');
    // A new run id but a taken attempt id: the statement fails (23505), the composed calls report it.
    const sent = await statements(() =>
      expect(stores.ledger.startAttempt({ run: { ...other.run, runId: 'run_dup_3' }, attempt: { ...attempt, attemptId: 'run_dup:1' }, events: [], fence })).rejects.toMatchObject({
        code: 'duplicate_record',
      }),
    );
    expect(sent[0]).toMatch(/^WITH r AS/);
    expect(sent).toContain('BEGIN');
    expect(sent).toContain('ROLLBACK');
    expect(await stores.ledger.fetchRun('run_dup_3')).toBeNull();
    await expect(
      stores.ledger.completeAttempt({
        runId: run.runId,
        attemptId: attempt.attemptId,
        expectLatestAttempt: 1,
        artifacts: [],
        events: [event(run.runId, 0, 'different')],
        fence,
        attemptPatch: { status: 'completed', updatedAt: ts },
        runPatch: { status: 'completed', updatedAt: ts },
        current: { run, attempt },
      }),
    ).rejects.toMatchObject({ code: 'event_conflict' });
    expect((await stores.ledger.fetchRun(run.runId))?.status).toBe('running');
    expect((await stores.ledger.listEvents(run.runId)).map((e) => e.type)).toEqual(['x']);
  });

  it('inside a transaction, a rejected event batch rolls back to its savepoint and the transaction goes on', async () => {
    const stores = await open();
    const { run, attempt } = records('run_sp');
    await stores.ledger.startAttempt({ run, attempt, events: [event(run.runId, 0)], fence });
    const sent = await statements(() =>
      stores.transaction(async (tx) => {
        await tx.ledger.appendEvents([event(run.runId, 1)], fence);
        await expect(tx.ledger.appendEvents([event(run.runId, 2), event(run.runId, 0, 'different')], fence)).rejects.toMatchObject({ code: 'event_conflict' });
        await tx.ledger.appendEvents([event(run.runId, 3)], fence);
      }),
    );
    expect(sent.some((s) => /^ROLLBACK TO SAVEPOINT/.test(s))).toBe(true);
    expect(sent.some((s) => s.startsWith('DELETE'))).toBe(false);
    expect((await stores.ledger.listEvents(run.runId)).map((e) => `${e.seq}${e.type}`)).toEqual(['0x', '1x', '3x']);
  });
});
