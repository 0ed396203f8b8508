import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DispatchJobSchema, type AggregatorFence, type Attempt, type Event } from '@integration/contracts';
import { Mutex } from 'async-mutex';
import { acceptedRun, failureOf } from '@integration/contracts/testing';
import { groupCommitChannel, sqliteStores } from '../src';
import { SqliteWriteBatch } from '../src/sqlite-write-batch';

const dir = mkdtempSync(join(tmpdir(), 'store-local-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(dir, `gc-${(files += 1)}.db`);
const at = '2026-01-01T00:00:00.000Z';
const fence: AggregatorFence = { aggregatorId: 'control_plane', aggregatorEpoch: 2 };
const staleFence: AggregatorFence = { aggregatorId: 'control_plane', aggregatorEpoch: 1 };

const event = (runId: string, seq: number, note = 'x'): Event => ({
  eventId: `evt_${runId}_${seq}_${note}`,
  schemaVersion: '1.0',
  runId,
  attemptId: `${runId}:1`,
  attempt: 1,
  seq,
  type: 'attempt.started',
  stream: 'system',
  level: 'info',
  payload: { note },
  payloadRef: null,
  trace: { traceId: null, spanId: null, correlationId: null, causationId: null },
  targetId: null,
  sessionId: null,
  runtimeRefId: null,
  ts: at,
});

const attempt = (runId: string): Attempt => ({
  attemptId: `${runId}:1`,
  runId,
  attempt: 1,
  status: 'running',
  runtimeClass: 'direct',
  aggregatorId: fence.aggregatorId,
  aggregatorEpoch: fence.aggregatorEpoch,
  credentialLeaseId: null,
  targetId: null,
  runtimeRefId: null,
  output: null,
  error: null,
  createdAt: at,
  updatedAt: at,
});

const startOf = (runId: string) => ({ run: acceptedRun(runId, { status: 'running' }), attempt: attempt(runId), events: [event(runId, 0)], fence });

/** The batches flushed on one file, as published on `groupCommitChannel`. */
interface Flush {
  calls: number;
  transactions: number;
}
let flushes: Array<Flush & { path: string }> = [];
const onFlush = (message: unknown) => flushes.push(message as Flush & { path: string });
beforeEach(() => {
  flushes = [];
  diagnostics.subscribe(groupCommitChannel.name, onFlush);
});
afterEach(() => {
  diagnostics.unsubscribe(groupCommitChannel.name, onFlush);
});
const flushesOf = (path: string): Flush[] => flushes.filter((f) => f.path === path).map(({ calls, transactions }) => ({ calls, transactions }));

/** A second connection of its own (not the shared in-process file), as another process would see the file. */
function count(path: string, table: string): number {
  const raw = new Database(path, { readonly: true });
  try {
    return (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    raw.close();
  }
}

describe('group commit of single store calls (sqlite)', () => {
  it('50 startAttempt calls issued in one turn share one commit, and another connection sees all 50 runs', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    const runIds = Array.from({ length: 50 }, (_, i) => `run_gc_${String(i).padStart(2, '0')}`);
    await Promise.all(runIds.map((runId) => stores.ledger.startAttempt(startOf(runId))));
    expect(flushesOf(path)).toEqual([{ calls: 50, transactions: 1 }]);
    expect(count(path, 'runs')).toBe(50);
    expect(count(path, 'attempts')).toBe(50);
    expect(count(path, 'events')).toBe(50);
    await stores.close();
  });

  it('a call that fails in a batch rejects with its own code alone; its neighbours are committed', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    await stores.ledger.startAttempt(startOf('run_taken'));
    flushes = [];

    const calls = [
      stores.ledger.startAttempt(startOf('run_before')),
      // A different event at a taken position.
      stores.ledger.appendEvents([event('run_taken', 0, 'other')]),
      // A fenced append with a stale epoch: its event is inserted first, then the fence fails.
      stores.ledger.appendEvents([event('run_taken', 1)], staleFence),
      stores.ledger.updateAttempt('run_taken:1', { status: 'completed', updatedAt: at }, staleFence),
      stores.ledger.putRun(acceptedRun('run_after')),
    ];
    const failures = await Promise.all(calls.map(failureOf));

    expect(failures).toEqual([
      null,
      { code: 'event_conflict', retryable: false },
      { code: 'stale_aggregator_epoch', retryable: false },
      { code: 'stale_aggregator_epoch', retryable: false },
      null,
    ]);
    expect(flushesOf(path)).toEqual([{ calls: 5, transactions: 1 }]);
    expect(count(path, 'runs')).toBe(3);
    // The failed calls' writes were rolled back with their savepoints, the neighbours' kept.
    expect((await stores.ledger.listEvents('run_taken')).map((e) => e.eventId)).toEqual([event('run_taken', 0).eventId]);
    expect((await stores.ledger.fetchAttempt('run_taken:1'))?.status).toBe('running');
    expect((await stores.ledger.listEvents('run_before')).length).toBe(1);
    await stores.close();
  });

  it('rolls back a throwing call\'s own earlier statements (its savepoint), not its neighbours\'', async () => {
    const path = fresh();
    const db = new Database(path);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const atomic = db.transaction((fn: () => unknown) => fn());
    const batch = new SqliteWriteBatch({
      path,
      db,
      mutex: new Mutex(),
      atomic: <T>(fn: () => T) => atomic.immediate(fn) as T,
      retryBusy: async (step) => step(),
    });
    const insert = (k: string) => db.prepare('INSERT INTO t (k) VALUES (?)').run(k);
    const results = await Promise.all([
      batch.run(() => insert('a')),
      // Two statements, then a failure: the first must not survive.
      batch.run(() => {
        insert('b');
        throw new Error('boom');
      }),
      batch.run(() => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n),
      batch.run(() => insert('c')),
    ].map((p) => p.then(() => 'ok', (error: Error) => error.message)));
    expect(results).toEqual(['ok', 'boom', 'ok', 'ok']);
    expect(flushesOf(path)).toEqual([{ calls: 4, transactions: 1 }]);
    expect((db.prepare('SELECT k FROM t ORDER BY k').all() as Array<{ k: string }>).map((r) => r.k)).toEqual(['a', 'c']);
    db.close();
  });

  it('keeps program order: an unawaited write is seen by the next read, from any view, transaction or close', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    const other = sqliteStores({ path });

    const put = stores.ledger.putRun(acceptedRun('run_order'));
    expect((await stores.ledger.fetchRun('run_order'))?.runId).toBe('run_order');
    await put;

    // A read issued while the batch is pending runs after the write, not before it.
    const update = stores.ledger.updateRun('run_order', { status: 'running', updatedAt: at });
    const read = other.ledger.fetchRun('run_order');
    expect((await read)?.status).toBe('running');
    await update;

    const second = stores.ledger.putRun(acceptedRun('run_order_2'));
    expect(await stores.transaction((tx) => tx.ledger.fetchRun('run_order_2'))).not.toBeNull();
    await second;

    const last = other.ledger.putRun(acceptedRun('run_order_3'));
    await other.close();
    await last;
    expect(count(path, 'runs')).toBe(3);
    await stores.close();
  });

  it('wakes a queue waiter only after the batched enqueue is committed', async () => {
    const stores = sqliteStores({ path: fresh() });
    const job = DispatchJobSchema.parse({
      dispatchId: 'disp_gc',
      runId: 'run_gc',
      tenantId: 'tn',
      connectorId: 'x',
      triggerId: 'x.t',
      capabilityId: 'x.t',
      status: 'queued',
      attempts: 0,
      maxAttempts: 3,
      availableAt: at,
      createdAt: at,
      updatedAt: at,
    });
    const woke = stores.dispatch.waitForWork(10_000).then(() => stores.dispatch.claim({ leaseOwner: 'w', limit: 1, leaseMs: 1_000, now: Date.parse(at) + 1 }));
    const [enqueued] = await Promise.all([stores.dispatch.enqueue(job), stores.ledger.putRun(acceptedRun('run_gc'))]);
    expect(enqueued.status).toBe('enqueued');
    expect((await woke).map((j) => j.dispatchId)).toEqual(['disp_gc']);
    await stores.close();
  });

  it('a shared commit waits for another connection\'s write lock, then takes every call', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, busyTimeoutMs: 10_000 });
    await stores.ledger.putRun(acceptedRun('run_first'));
    flushes = [];
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const release = setTimeout(() => {
      holder.exec('COMMIT');
      holder.close();
    }, 100);
    await Promise.all(Array.from({ length: 8 }, (_, i) => stores.ledger.putRun(acceptedRun(`run_wait_${i}`))));
    clearTimeout(release);
    expect(flushesOf(path)).toEqual([{ calls: 8, transactions: 1 }]);
    expect(count(path, 'runs')).toBe(9);
    await stores.close();
  });

  it('a lock still held after busyTimeoutMs fails every call of the batch with store_unavailable, then recovers', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, busyTimeoutMs: 50 });
    await stores.ledger.putRun(acceptedRun('run_first'));
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const failures = await Promise.all([stores.ledger.putRun(acceptedRun('run_a')), stores.ledger.putRun(acceptedRun('run_b'))].map(failureOf));
    expect(failures).toEqual([
      { code: 'store_unavailable', retryable: true },
      { code: 'store_unavailable', retryable: true },
    ]);
    holder.exec('ROLLBACK');
    holder.close();
    await Promise.all([stores.ledger.putRun(acceptedRun('run_a')), stores.ledger.putRun(acceptedRun('run_b'))]);
    expect(count(path, 'runs')).toBe(3);
    await stores.close();
  });

  it('caps a batch at 256 calls; the rest commit in the next one', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    await Promise.all(Array.from({ length: 300 }, (_, i) => stores.ledger.putRun(acceptedRun(`run_cap_${i}`))));
    expect(flushesOf(path)).toEqual([
      { calls: 256, transactions: 1 },
      { calls: 44, transactions: 1 },
    ]);
    expect(count(path, 'runs')).toBe(300);
    await stores.close();
  });

  it('groupCommit: false commits each call on its own (no batch)', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, groupCommit: false });
    await Promise.all(Array.from({ length: 10 }, (_, i) => stores.ledger.startAttempt(startOf(`run_alone_${i}`))));
    expect(flushesOf(path)).toEqual([]);
    expect(count(path, 'runs')).toBe(10);
    await stores.close();
  });
});
