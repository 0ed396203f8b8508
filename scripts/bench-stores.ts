/**
 * `pnpm bench:stores`: durable invokes per second on the SQLite and Postgres tiers, each next to a
 * baseline measured in the same run with the raw driver (one single-row INSERT transaction per
 * iteration, same file settings / same server). A durable invoke is `platform.invoke` of a no-op
 * direct capability through the control plane. A third row per tier isolates the store: the store
 * calls of one invoke (`ledger.startAttempt`, `ledger.completeAttempt`), two transactions.
 * The raw floor ("an invoke's SQL") and the durable invoke are measured side by side, in
 * alternating slices, so that their ratio does not depend on how the disk drifts between rows.
 * Each SQLite setting also gets a concurrent row: 16 invokes in flight (closed loop, each finished
 * invoke starts the next), where the store's group commit lets concurrent calls share commits,
 * next to the same load with `groupCommit: false`.
 *
 * SQLite is measured twice, with `synchronous = FULL` (the store's default) and `NORMAL`; the raw
 * baseline uses the same journal mode and synchronous setting as the store it is compared with.
 * Postgres runs with the server's default synchronous_commit on both sides.
 *
 * Env: BENCH_SECONDS (per measurement, default 4), BENCH_ONLY (sqlite | postgres), INTEGRATION_PG_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type PgModule from 'pg';
import { z } from 'zod';
import { ANONYMOUS_CREDENTIAL_REF, type Stores } from '@integration/contracts';
import { pipelineInvoke } from '@integration/contracts/testing';
import { createPlatform, defineConnector, defineOperation, generateSealingKey, postgresStores, sqliteStores } from '@integration/platform';
import { sqliteMigrations } from '@integration/store-local';

// The raw drivers are dependencies of the store packages, not of the workspace root.
const Database = createRequire(new URL('../packages/store-local/package.json', import.meta.url))('better-sqlite3') as typeof BetterSqlite3;
const pg = createRequire(new URL('../packages/store-postgres/package.json', import.meta.url))('pg') as typeof PgModule;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
/** Invokes in flight in the concurrent row. */
const CONCURRENCY = 16;
const DURABLE = 'platform.invoke (durable)';
const CONCURRENT = `platform.invoke ×${CONCURRENCY} concurrent`;
const CONCURRENT_UNGROUPED = `  same, groupCommit: false`;
/** BENCH_ONLY=sqlite|postgres runs one tier. */
const only = process.env.BENCH_ONLY;
const PG_URL = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const echo = defineOperation({
  id: 'bench.echo.run',
  description: 'returns its input',
  input: z.strictObject({ n: z.number().int() }),
  output: z.strictObject({ n: z.number().int() }),
  consumerSurface: { mode: 'connector_local', reason: 'benchmark' },
  handler: async (input: { n: number }) => ({ n: input.n }),
});
const connector = defineConnector({ id: 'bench', auth: { type: 'none' }, catalog: { displayName: 'Bench' }, operations: [echo] });

interface Row {
  tier: string;
  label: string;
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Runs `fn` for a warm-up, then for SECONDS, as a closed loop with `concurrency` calls in flight
 * (each finished call starts the next; 1 = sequential); returns the rate and per-call latency
 * percentiles (from a call's start to its end).
 */
async function measure(tier: string, label: string, fn: (i: number) => Promise<unknown> | unknown, concurrency = 1): Promise<Row> {
  let i = 0;
  const loop = async (until: number, samples: number[] | null) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await fn(i++);
      samples?.push((performance.now() - t0) * 1000);
    }
  };
  const warmEnd = performance.now() + 500;
  await Promise.all(Array.from({ length: concurrency }, () => loop(warmEnd, null)));
  const samples: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => loop(started + SECONDS * 1000, samples)));
  const elapsed = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
  return { tier, label, perSecond: samples.length / elapsed, p50: at(50), p99: at(99) };
}

/** How long each side of a paired measurement runs before the other takes over. */
const SLICE_MS = 250;

/**
 * Two loops measured side by side: warm-ups, then alternating slices of SLICE_MS (SECONDS in all
 * for each side), so both see the same disk and load. On this VM, fsync latency drifts by ±20%
 * over a minute: measured one after the other, a ratio of two rows mostly measures the drift.
 */
async function measurePaired(tier: string, sides: Array<[label: string, fn: (i: number) => Promise<unknown> | unknown]>): Promise<Row[]> {
  const state = sides.map(() => ({ i: 0, calls: 0, elapsed: 0, samples: [] as number[] }));
  const run = async (side: number, ms: number, record: boolean) => {
    const s = state[side]!;
    const fn = sides[side]![1];
    const started = performance.now();
    const until = started + ms;
    while (performance.now() < until) {
      const t0 = performance.now();
      await fn(s.i++);
      if (record) s.samples.push((performance.now() - t0) * 1000);
    }
    if (record) s.elapsed += performance.now() - started;
  };
  for (let side = 0; side < sides.length; side += 1) await run(side, 500, false);
  for (let slice = 0; slice < Math.ceil((SECONDS * 1000) / SLICE_MS); slice += 1) {
    for (let side = 0; side < sides.length; side += 1) await run(side, SLICE_MS, true);
  }
  return sides.map(([label], side) => {
    const { samples, elapsed } = state[side]!;
    samples.sort((a, b) => a - b);
    const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
    return { tier, label, perSecond: samples.length / (elapsed / 1000), p50: at(50), p99: at(99) };
  });
}

async function storeWritesRate(tier: string, stores: Stores): Promise<Row> {
  try {
    await stores.migrate();
    return await measure(tier, 'store writes of one invoke', (n) => pipelineInvoke(stores, `run_${process.pid}_${n}`, n));
  } finally {
    await stores.close();
  }
}

/** `platform.invoke` of the no-op capability on `stores`, `concurrency` calls in flight. */
async function invokeRate(tier: string, stores: Stores, label = DURABLE, concurrency = 1): Promise<Row> {
  const platform = await createPlatform({ connectors: [connector], stores, secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
  try {
    return await measure(tier, label, (n) => platform.invoke('bench.echo.run', { n }), concurrency);
  } finally {
    await platform.close();
  }
}

/**
 * The floor under the store on this file system: the raw driver running the SQL of one invoke's
 * store calls (what `startAttempt` and `completeAttempt` execute, with ready-made JSON) in two
 * transactions, on a file with the store's own schema. It writes as many pages as the store does.
 */
function sqliteInvokeSql(db: BetterSqlite3.Database): (n: number) => void {
  for (const m of sqliteMigrations) db.exec(m.sql);
  const ts = '2026-01-01T00:00:00.000Z';
  const runJson = (id: string, status: string) =>
    JSON.stringify({ runId: id, capabilityId: 'bench.echo.run', connectorId: 'bench', runtimeClass: 'direct', status, input: { n: 1 }, credentialRef: ANONYMOUS_CREDENTIAL_REF, targetId: null, tenantId: null, actorId: null, traceId: null, idempotencyKey: null, result: null, error: null, policy: null, createdAt: ts, updatedAt: ts });
  const attemptJson = (id: string, status: string) =>
    JSON.stringify({ attemptId: `${id}:1`, runId: id, attempt: 1, status, runtimeClass: 'direct', aggregatorId: 'control_plane', aggregatorEpoch: 1, credentialLeaseId: null, targetId: null, runtimeRefId: null, output: null, error: null, createdAt: ts, updatedAt: ts });
  const eventJson = (id: string, seq: number) =>
    JSON.stringify({ eventId: `evt_${id}_${seq}`, schemaVersion: '1.0', runId: id, attemptId: `${id}:1`, attempt: 1, seq, type: 'x', stream: 'system', level: 'info', payload: { n: 1 }, payloadRef: null, trace: { traceId: null, spanId: null, correlationId: null, causationId: null }, targetId: null, sessionId: null, runtimeRefId: null, ts });
  const insertRun = db.prepare('INSERT INTO runs (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const insertAttempt = db.prepare('INSERT INTO attempts (attempt_id, run_id, attempt, record) VALUES (?, ?, ?, ?) ON CONFLICT (attempt_id) DO NOTHING');
  const insertEvent = db.prepare('INSERT INTO events (run_id, attempt_key, attempt_id, attempt, seq, record) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, attempt_key, seq) DO NOTHING');
  const latest = db.prepare('SELECT MAX(attempt) AS latest FROM attempts WHERE run_id = ?');
  const readAttempt = db.prepare('SELECT record FROM attempts WHERE attempt_id = ?');
  const writeAttempt = db.prepare('UPDATE attempts SET record = ? WHERE attempt_id = ?');
  const readRun = db.prepare('SELECT record FROM runs WHERE run_id = ?');
  const writeRun = db.prepare('UPDATE runs SET status = ?, record = ? WHERE run_id = ?');
  const start = db.transaction((id: string) => {
    insertRun.run(id, 'bench.echo.run', 'bench', 'running', null, null, ts, runJson(id, 'running'));
    insertAttempt.run(`${id}:1`, id, 1, attemptJson(id, 'running'));
    insertEvent.run(id, `${id}:1`, `${id}:1`, 1, 0, eventJson(id, 0));
  });
  const complete = db.transaction((id: string) => {
    latest.get(id);
    for (const seq of [1, 2, 3]) insertEvent.run(id, `${id}:1`, `${id}:1`, 1, seq, eventJson(id, seq));
    readAttempt.get(`${id}:1`);
    writeAttempt.run(attemptJson(id, 'completed'), `${id}:1`);
    readRun.get(id);
    writeRun.run('completed', runJson(id, 'completed'), id);
  });
  return (n) => {
    const id = `run_${process.pid}_${n}`;
    start.immediate(id);
    complete.immediate(id);
  };
}

/** Raw baseline, durable invoke and store-writes rows for one `synchronous` setting (same journal_mode and synchronous on both sides). */
async function sqlite(dir: string, synchronous: 'FULL' | 'NORMAL'): Promise<Row[]> {
  const tier = `sqlite ${synchronous}`;
  const raw = new Database(join(dir, `raw-${synchronous}.db`));
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${synchronous}`);
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = raw.prepare('INSERT INTO t (body) VALUES (?)');
  const tx = raw.transaction((n: number) => insert.run(`{"n":${n}}`));
  const baseline = await measure(tier, 'raw driver: 1-row INSERT tx', (n) => tx.immediate(n));
  raw.close();
  const floorDb = new Database(join(dir, `floor-${synchronous}.db`));
  floorDb.pragma('journal_mode = WAL');
  floorDb.pragma(`synchronous = ${synchronous}`);
  // The floor and the durable invoke side by side: their ratio is the store's and pipeline's cost.
  const platform = await createPlatform({ connectors: [connector], stores: sqliteStores({ path: join(dir, `state-${synchronous}.db`), synchronous }), secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
  const [floor, durable] = await measurePaired(tier, [
    ["raw driver: an invoke's SQL", sqliteInvokeSql(floorDb)],
    [DURABLE, (n) => platform.invoke('bench.echo.run', { n })],
  ]);
  await platform.close();
  floorDb.close();
  const concurrent = await invokeRate(tier, sqliteStores({ path: join(dir, `concurrent-${synchronous}.db`), synchronous }), CONCURRENT, CONCURRENCY);
  const ungrouped = await invokeRate(
    tier,
    sqliteStores({ path: join(dir, `ungrouped-${synchronous}.db`), synchronous, groupCommit: false }),
    CONCURRENT_UNGROUPED,
    CONCURRENCY,
  );
  const writes = await storeWritesRate(tier, sqliteStores({ path: join(dir, `writes-${synchronous}.db`), synchronous }));
  return [baseline, floor, durable, concurrent, ungrouped, writes];
}

async function postgres(): Promise<Row[] | string> {
  const schema = `bench_${process.pid}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    return `Postgres at ${PG_URL} unreachable: ${(error as Error).message}`;
  }
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".t (id bigserial PRIMARY KEY, body json NOT NULL)`);
    const client = await pool.connect();
    let baseline: Row;
    try {
      baseline = await measure('postgres', 'raw driver: 1-row INSERT tx', async (n) => {
        await client.query('BEGIN');
        await client.query(`INSERT INTO "${schema}".t (body) VALUES ($1::json)`, [`{"n":${n}}`]);
        await client.query('COMMIT');
      });
    } finally {
      client.release();
    }
    const durable = await invokeRate('postgres', postgresStores({ connectionString: PG_URL, schema: `${schema}_stores` }));
    const writes = await storeWritesRate('postgres', postgresStores({ connectionString: PG_URL, schema: `${schema}_writes` }));
    return [baseline, durable, writes];
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_stores" CASCADE; DROP SCHEMA IF EXISTS "${schema}_writes" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stores-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    if (!only || only === 'sqlite') rows.push(...(await sqlite(dir, 'FULL')), ...(await sqlite(dir, 'NORMAL')));
    const pgRows = !only || only === 'postgres' ? await postgres() : [];
    if (typeof pgRows === 'string') notes.push(pgRows);
    else rows.push(...pgRows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nstore benchmark: ${SECONDS}s per measurement, sequential unless marked concurrent, node ${process.version}\n`);
  console.log(`load average (uptime): ${loadavg().map((l) => l.toFixed(2)).join(', ')}\n`);
  console.log('| tier          | measurement                    |     ops/s |  p50 µs |  p99 µs |');
  console.log('|---------------|--------------------------------|----------:|--------:|--------:|');
  for (const r of rows) {
    console.log(`| ${r.tier.padEnd(13)} | ${r.label.padEnd(30)} | ${r.perSecond.toFixed(0).padStart(9)} | ${r.p50.toFixed(0).padStart(7)} | ${r.p99.toFixed(0).padStart(7)} |`);
  }
  console.log('');
  for (const tier of ['sqlite FULL', 'sqlite NORMAL', 'postgres']) {
    const base = rows.find((r) => r.tier === tier && r.label.startsWith('raw driver: 1-row'));
    const floor = rows.find((r) => r.tier === tier && r.label.startsWith("raw driver: an invoke"));
    const durable = rows.find((r) => r.tier === tier && r.label === DURABLE);
    const concurrent = rows.find((r) => r.tier === tier && r.label === CONCURRENT);
    const ungrouped = rows.find((r) => r.tier === tier && r.label === CONCURRENT_UNGROUPED);
    const writes = rows.find((r) => r.tier === tier && r.label.startsWith('store writes'));
    if (base && durable) console.log(`${tier}: durable invokes/s ÷ raw 1-row insert tx/s = ${(durable.perSecond / base.perSecond).toFixed(3)} (target ≥ 0.4)`);
    if (base && concurrent) {
      console.log(`${tier}: CONCURRENT (${CONCURRENCY} in flight) durable invokes/s ÷ raw 1-row insert tx/s = ${(concurrent.perSecond / base.perSecond).toFixed(3)} (group commit; not the sequential headline)`);
      if (ungrouped) console.log(`${tier}: the same without group commit = ${(ungrouped.perSecond / base.perSecond).toFixed(3)}; group commit ÷ without = ${(concurrent.perSecond / ungrouped.perSecond).toFixed(2)}×`);
    }
    if (base && floor) console.log(`${tier}: raw invoke SQL/s ÷ raw 1-row insert tx/s = ${(floor.perSecond / base.perSecond).toFixed(3)} (the same SQL without the store code)`);
    if (floor && durable) console.log(`${tier}: durable invokes/s ÷ raw invoke SQL/s = ${(durable.perSecond / floor.perSecond).toFixed(3)} (target ≥ 0.8: what the store and pipeline cost over their SQL)`);
    if (base && writes) console.log(`${tier}: store writes of one invoke/s ÷ raw 1-row insert tx/s = ${(writes.perSecond / base.perSecond).toFixed(3)}`);
  }
  for (const note of notes) console.log(`note: ${note}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
