/**
 * pnpm bench:dispatch — the @integration/dispatch queue versus graphile-worker 0.16 and pg-boss 10
 * on the same local Postgres, same job count and concurrency, side by side in one run.
 *
 * Modes:
 *  - ledger (headline): every job delivers an admitted trigger run through the control plane's
 *    executeRun (attempt, events, completion: the full durable run ledger). The peers' task handler
 *    makes the same executeRun call, so only the queue differs.
 *  - noop: the queue alone (handlers do nothing; no ledger).
 * Throughput = jobs / (first enqueue → last completion), enqueued with 8 concurrent producers.
 * Latency = enqueue call → handler start, for jobs enqueued one at a time every 20 ms into idle workers.
 *
 * Each system runs `--rounds` times, interleaved (A B C A B C …) so machine load affects all alike;
 * the table shows the median round (by jobs/s) of each.
 *
 * Usage: pnpm bench:dispatch [--jobs 2000] [--concurrency 10] [--latency-jobs 100] [--mode ledger|noop|both] [--rounds 3] [--prefetch 10]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { run as runGraphile, makeWorkerUtils, Logger as GraphileLogger } from 'graphile-worker';
import { defineConnector, defineTrigger, isoAt, type Run, type Stores, type TriggerRecord } from '@integration/contracts';
import { postgresStores } from '@integration/store-postgres';
import { createControlPlane } from '@integration/control-plane';
import { createDirectRuntime } from '@integration/direct-runtime';
import { createIngress, defineIngress } from '@integration/ingress';
import { createDispatchQueue, createDispatchWorker, type AdmittedTrigger } from '@integration/dispatch';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    'latency-jobs': { type: 'string', default: '100' },
    mode: { type: 'string', default: 'both' },
    systems: { type: 'string', default: 'ours,graphile,pgboss' },
    rounds: { type: 'string', default: '3' },
    prefetch: { type: 'string', default: '10' },
  },
});
const JOBS = Number(values.jobs);
const CONCURRENCY = Number(values.concurrency);
const LATENCY_JOBS = Number(values['latency-jobs']);
const MODES = values.mode === 'both' ? (['ledger', 'noop'] as const) : ([values.mode] as ('ledger' | 'noop')[]);
const PG_URL = process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PRODUCERS = 8;
/** Our worker's prefetch (local buffer of claimed jobs); graphile-worker 0.16 has no equivalent. */
const PREFETCH = Number(values.prefetch);

const tick = defineTrigger({
  id: 'bench.tick',
  description: 'A no-op trigger for benchmarks',
  deliveryMode: 'webhook',
  config: z.object({ label: z.string().optional() }),
  signal: z.object({ n: z.number().int() }),
  signalType: 'bench.tick',
  signalSource: '/bench',
  consumerSurface: { mode: 'connector_local', reason: 'benchmark fixture' },
  handler: async (signal) => ({ n: signal.n }),
});
const bench = defineConnector({ id: 'bench', auth: { type: 'none', bindingKind: 'none' }, catalog: { displayName: 'Bench' }, triggers: [tick] });

const schemaName = (label: string) => `bench_${label}_${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dropSchemas(...schemas: string[]) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
}

interface Ledger {
  stores: Stores;
  schema: string;
  executeRun(runId: string): Promise<unknown>;
  admissions: AdmittedTrigger[];
}

/** A fresh ledger schema with `count` admitted trigger runs (the same preparation for every system). */
async function prepareLedger(label: string, count: number, mode: 'ledger' | 'noop'): Promise<Ledger> {
  const schema = schemaName(label);
  const stores = postgresStores({ connectionString: PG_URL, schema, max: CONCURRENCY + 4 });
  await stores.migrate();
  const controlPlane = createControlPlane({ stores, runtimes: { direct: createDirectRuntime() } });
  controlPlane.registerConnector(bench);
  const admissions: AdmittedTrigger[] = [];
  if (mode === 'ledger') {
    const ingress = createIngress({ stores, capabilities: controlPlane });
    const definition = defineIngress({ source: 'webhook', connectorId: 'bench', triggerId: 'bench.tick', capabilityId: 'bench.tick', signalType: 'bench.tick', signalSource: '/bench', signalSchema: tick.signal });
    let next = 0;
    await Promise.all(
      Array.from({ length: PRODUCERS }, async () => {
        while (next < count) {
          const n = next++;
          const body = JSON.stringify({ n });
          const { trigger, run } = await ingress.admitWebhook({ tenantId: 'bench', rawBody: body, externalId: `tick-${label}-${n}` }, definition);
          admissions[n] = { trigger, run };
        }
      }),
    );
  } else {
    const at = isoAt(Date.now());
    for (let n = 0; n < count; n += 1) {
      const runId = `run_synthetic_${label}_${n}`;
      const trigger = { admissionId: `trg_${label}_${n}`, status: 'accepted', runId, tenantId: 'bench', connectorId: 'bench', triggerId: 'bench.tick', capabilityId: 'bench.tick', dedupeKey: `tick-${n}` } as TriggerRecord;
      admissions.push({ trigger, run: { runId, createdAt: at } as Run });
    }
  }
  return {
    stores,
    schema,
    admissions,
    executeRun: mode === 'ledger' ? (runId) => controlPlane.executeRun(runId) : async () => undefined,
  };
}

interface Result {
  system: string;
  mode: string;
  jobsPerSecond: number;
  seconds: number;
  p50: number;
  p99: number;
  ledgerCompleted: number | null;
  cpuMsPerJob: number;
  rounds?: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs a throughput phase and a latency phase against one system's enqueue and handler hooks. */
async function measure(
  system: string,
  mode: 'ledger' | 'noop',
  ledger: Ledger,
  enqueue: (a: AdmittedTrigger) => Promise<void>,
  completed: () => number,
): Promise<Omit<Result, 'ledgerCompleted'> & { starts: Map<string, number> }> {
  const starts = new Map<string, number>();
  const throughput = ledger.admissions.slice(0, JOBS);
  const cpuBefore = process.cpuUsage();
  slotBusy.ms = 0;
  const begin = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < throughput.length) await enqueue(throughput[next++]!);
    }),
  );
  const enqueueSeconds = (performance.now() - begin) / 1000;
  while (completed() < JOBS) await sleep(2);
  const seconds = (performance.now() - begin) / 1000;
  if (process.env.BENCH_DEBUG) {
    // Share of the concurrency slots spent inside the handler (executeRun), and its mean duration:
    // what is not spent there is the queue's own overhead between jobs.
    const busyShare = slotBusy.ms / (seconds * 1000 * CONCURRENCY);
    console.log(`    ${system}: enqueue phase ${enqueueSeconds.toFixed(2)} s of ${seconds.toFixed(2)} s; slots in the handler ${(busyShare * 100).toFixed(0)}%, handler mean ${(slotBusy.ms / JOBS).toFixed(1)} ms`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerJob = (cpu.user + cpu.system) / 1000 / JOBS;

  const latencies: number[] = [];
  const enqueuedAt = new Map<string, number>();
  for (const admission of ledger.admissions.slice(JOBS, JOBS + LATENCY_JOBS)) {
    enqueuedAt.set(admission.run.runId, performance.now());
    await enqueue(admission);
    await sleep(20);
  }
  while (completed() < JOBS + LATENCY_JOBS) await sleep(2);
  for (const [runId, at] of enqueuedAt) {
    const started = startTimes.get(runId);
    if (started !== undefined) latencies.push(started - at);
  }
  latencies.sort((a, b) => a - b);
  return { system, mode, seconds, cpuMsPerJob, jobsPerSecond: JOBS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), starts };
}

const startTimes = new Map<string, number>();
/** Time spent inside the job handler during the throughput phase (BENCH_DEBUG diagnostics). */
const slotBusy = { ms: 0 };
const silentGraphileLogger = new GraphileLogger(() => () => {});

async function ledgerCompletedCount(ledger: Ledger): Promise<number | null> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query(`select count(*)::int as n from "${ledger.schema}".runs where status = 'completed'`);
    return rows[0].n as number;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

async function benchOurs(mode: 'ledger' | 'noop'): Promise<Result> {
  const ledger = await prepareLedger('ours', JOBS + LATENCY_JOBS, mode);
  // Like the peers (whose queues bring their own pool), the queue gets its own pool on the same schema.
  const queueStores = postgresStores({ connectionString: PG_URL, schema: ledger.schema, max: CONCURRENCY + 2 });
  await queueStores.migrate();
  const queue = createDispatchQueue({ stores: queueStores });
  const worker = createDispatchWorker({
    stores: queueStores,
    executor: {
      executeRun: async (runId) => {
        const started = performance.now();
        startTimes.set(runId, started);
        try {
          return await ledger.executeRun(runId);
        } finally {
          slotBusy.ms += performance.now() - started;
        }
      },
    },
    concurrency: CONCURRENCY,
    batchSize: CONCURRENCY,
    prefetch: PREFETCH,
    leaseMs: 60_000,
    pollIntervalMs: 1_000,
  });
  worker.start();
  const result = await measure('@integration/dispatch', mode, ledger, async (a) => void (await queue.enqueue(a)), () => worker.stats().completed);
  await worker.stop();
  const ledgerCompleted = mode === 'ledger' ? await ledgerCompletedCount(ledger) : null;
  await queueStores.close();
  await ledger.stores.close();
  await dropSchemas(ledger.schema);
  return { ...result, ledgerCompleted };
}

async function benchGraphile(mode: 'ledger' | 'noop'): Promise<Result> {
  const ledger = await prepareLedger('graphile', JOBS + LATENCY_JOBS, mode);
  const schema = schemaName('gw');
  let done = 0;
  const runner = await runGraphile({
    connectionString: PG_URL,
    schema,
    concurrency: CONCURRENCY,
    maxPoolSize: CONCURRENCY + 2,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: silentGraphileLogger,
    taskList: {
      tick: async (payload) => {
        const { runId } = payload as { runId: string };
        const started = performance.now();
        startTimes.set(runId, started);
        await ledger.executeRun(runId);
        slotBusy.ms += performance.now() - started;
        done += 1;
      },
    },
  });
  const utils = await makeWorkerUtils({ connectionString: PG_URL, schema, logger: silentGraphileLogger });
  const result = await measure('graphile-worker 0.16', mode, ledger, async (a) => void (await utils.addJob('tick', { runId: a.run.runId })), () => done);
  await utils.release();
  await runner.stop();
  const ledgerCompleted = mode === 'ledger' ? await ledgerCompletedCount(ledger) : null;
  await ledger.stores.close();
  await dropSchemas(ledger.schema, schema);
  return { ...result, ledgerCompleted };
}

async function benchPgBoss(mode: 'ledger' | 'noop'): Promise<Result> {
  const ledger = await prepareLedger('pgboss', JOBS + LATENCY_JOBS, mode);
  const schema = schemaName('pgboss');
  const boss = new PgBoss({ connectionString: PG_URL, schema, max: CONCURRENCY + 2, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('tick');
  let done = 0;
  // pg-boss 10 removed per-worker concurrency (the maintainer's advice is several work() calls) and
  // its workers poll (min 0.5 s). Its best shape at the same concurrency: CONCURRENCY workers that
  // each fetch a batch and run it one job at a time, so at most CONCURRENCY jobs execute at once.
  for (let i = 0; i < CONCURRENCY; i += 1) {
    await boss.work<{ runId: string }>('tick', { batchSize: CONCURRENCY, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) {
        const started = performance.now();
        startTimes.set(job.data.runId, started);
        await ledger.executeRun(job.data.runId);
        slotBusy.ms += performance.now() - started;
        done += 1;
      }
    });
  }
  const result = await measure('pg-boss 10', mode, ledger, async (a) => void (await boss.send('tick', { runId: a.run.runId })), () => done);
  await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
  const ledgerCompleted = mode === 'ledger' ? await ledgerCompletedCount(ledger) : null;
  await ledger.stores.close();
  await dropSchemas(ledger.schema, schema);
  return { ...result, ledgerCompleted };
}

async function main() {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (error) {
    console.error(`Postgres unreachable at ${PG_URL}: ${(error as Error).message}`);
    process.exit(2);
  }
  console.log(`bench:dispatch — ${JOBS} jobs, concurrency ${CONCURRENCY} (ours: batch ${CONCURRENCY}, prefetch ${PREFETCH}), ${PRODUCERS} producers, latency over ${LATENCY_JOBS} paced jobs, Postgres ${new URL(PG_URL).host}`);
  const results: Result[] = [];
  const ROUNDS = Math.max(1, Number(values.rounds));
  const chosen = new Set(String(values.systems).split(','));
  const systems = (
    [
      ['ours', benchOurs],
      ['graphile', benchGraphile],
      ['pgboss', benchPgBoss],
    ] as const
  ).filter(([name]) => chosen.has(name));
  for (const mode of MODES) {
    const rounds = new Map<string, Result[]>();
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [name, fn] of systems) {
        startTimes.clear();
        const r = await fn(mode);
        rounds.set(name, [...(rounds.get(name) ?? []), r]);
        console.log(`  round ${round}: ${r.system} (${mode}) ${r.jobsPerSecond.toFixed(0)} jobs/s, p50 ${r.p50.toFixed(1)} ms`);
      }
    }
    for (const [, list] of rounds) {
      const sorted = [...list].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
      results.push({ ...sorted[Math.floor(sorted.length / 2)]!, rounds: list.map((r) => Math.round(r.jobsPerSecond)) });
    }
  }
  console.log('');
  console.log('| mode | system | jobs/s (median) | all rounds | seconds | bench-process CPU ms/job | enqueue→start p50 ms | p99 ms | ledger runs completed |');
  console.log('|---|---|---:|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.mode} | ${r.system} | ${r.jobsPerSecond.toFixed(0)} | ${r.rounds?.join(' / ')} | ${r.seconds.toFixed(2)} | ${r.cpuMsPerJob.toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.ledgerCompleted ?? '—'} |`);
  }
  console.log('');
  for (const mode of MODES) {
    const ours = results.find((r) => r.mode === mode && r.system.startsWith('@integration'));
    if (!ours) continue;
    for (const peer of results.filter((r) => r.mode === mode && r !== ours)) {
      console.log(`${mode}: @integration/dispatch / ${peer.system} = ${(ours.jobsPerSecond / peer.jobsPerSecond).toFixed(2)}× jobs/s`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
