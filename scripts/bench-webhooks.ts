/**
 * pnpm bench:webhooks — signed webhook deliveries admitted durably (SQLite tier: verification,
 * one-transaction admission of run + trigger + event + dispatch job) through the router's node:http
 * adapter, versus a bare node:http server that reads the body and answers 202, under the same load
 * (autocannon, same connections and duration, pre-signed unique deliveries; the router's figure
 * counts only 202 answers, i.e. deliveries admitted durably).
 * The servers run in a child process so the load generator does not share their event loop.
 * A third server, the floor (scripts/bench-webhooks-floor.ts), does only what a durable admission
 * must, by hand with the raw driver: same signature check, same rows and record shapes, same file
 * settings, one commit per event-loop turn. Router ÷ floor is what the platform's code costs.
 *
 * Bare, floor and router alternate for `--rounds` rounds (fresh server and database each); the
 * table shows each one's median round.
 *
 * Usage: pnpm bench:webhooks [--duration 5] [--connections 64] [--rounds 3]
 * BENCH_ROLES=router,floor (comma list) measures only those servers; BENCH_CPU_PROF_DIR=dir profiles them.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import autocannon from 'autocannon';
import { defineConnector, defineTrigger } from '@integration/contracts';
import { signWebhook } from '@integration/ingress';
import { createFloorServer } from './bench-webhooks-floor';

type Role = 'router' | 'floor' | 'bare';

const SECRET = 'bench-webhook-secret-0123456789';

const tick = defineTrigger({
  id: 'bench.tick',
  description: 'A no-op trigger for benchmarks',
  deliveryMode: 'webhook',
  config: z.object({ label: z.string().optional() }),
  signal: z.object({ n: z.number().int(), note: z.string() }),
  signalType: 'bench.tick',
  signalSource: '/bench',
  deliveryIdHeader: 'x-bench-delivery',
  consumerSurface: { mode: 'connector_local', reason: 'benchmark fixture' },
  handler: async (signal) => ({ n: signal.n }),
});
const bench = defineConnector({ id: 'bench', auth: { type: 'none', bindingKind: 'none' }, catalog: { displayName: 'Bench' }, triggers: [tick] });

async function serve(role: Role): Promise<void> {
  let server;
  let stats: () => Promise<Record<string, unknown>> = async () => ({});
  let cleanup = async () => {};
  if (role === 'bare') {
    server = createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status":"accepted"}');
      });
    });
  } else if (role === 'floor') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-webhooks-floor-'));
    const floor = createFloorServer(join(dir, 'state.db'), SECRET);
    server = floor.server;
    stats = async () => ({ acceptedTriggers: floor.acceptedTriggers() });
    cleanup = async () => {
      floor.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const { sqliteStores } = await import('@integration/store-local');
    const { createControlPlane } = await import('@integration/control-plane');
    const { createDirectRuntime } = await import('@integration/direct-runtime');
    const { createWebhookRouter } = await import('@integration/webhook-router');
    const { KeyRing } = await import('@integration/auth');
    const dir = mkdtempSync(join(tmpdir(), 'bench-webhooks-'));
    const stores = sqliteStores({ path: join(dir, 'state.db') });
    await stores.migrate();
    const controlPlane = createControlPlane({ stores, runtimes: { direct: createDirectRuntime() } });
    controlPlane.registerConnector(bench);
    const router = createWebhookRouter({ stores, capabilities: controlPlane, sealer: KeyRing.fromConfig({ keys: { k1: randomBytes(32).toString('base64') }, activeKeyId: 'k1' }) });
    await router.registerRoute({ connectorId: 'bench', triggerId: 'bench.tick', topology: 'dynamic_per_install', installId: 'ins-bench', tenantId: 'tenant-bench', verification: { scheme: 'github', secret: SECRET } });
    server = router.createNodeServer();
    stats = async () => ({
      acceptedTriggers: (await stores.ingress.listTriggers({ status: 'accepted' })).length,
      queuedJobs: (await stores.dispatch.listJobs({ status: 'queued' })).length,
      runs: (await stores.ledger.listRuns()).length,
    });
    cleanup = async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  // Event-loop utilisation between the warm-up and the stats request: near 1 means CPU-bound.
  let loopSince = performance.eventLoopUtilization();
  process.on('message', async (message: { cmd: string }) => {
    if (message.cmd === 'measure') loopSince = performance.eventLoopUtilization();
    if (message.cmd === 'stats') {
      const busy = performance.eventLoopUtilization(loopSince).utilization;
      process.send?.({ stats: { ...(await stats()), eventLoopBusy: Number(busy.toFixed(2)) } });
    }
    if (message.cmd === 'stop') {
      server.close();
      server.closeAllConnections?.();
      await cleanup();
      process.exit(0);
    }
  });
}

function startServer(role: Role) {
  const child = fork(fileURLToPath(import.meta.url), [], {
    // The child runs the same file the same way as this process (bundled by scripts/bench-runner.ts).
    execArgv: [...process.execArgv, ...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [])],
    env: { ...process.env, BENCH_ROLE: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  return {
    port: next<{ port: number }>().then((m) => m.port),
    stats: async () => {
      const reply = next<{ stats: Record<string, unknown> }>();
      child.send({ cmd: 'stats' });
      return (await reply).stats;
    },
    /** Marks the start of the measured load (the warm-up is not counted in eventLoopBusy). */
    startMeasuring: () => child.send({ cmd: 'measure' }),
    stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.send({ cmd: 'stop' }))),
  };
}

interface Measured {
  role: string;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  stats: Record<string, unknown>;
}

async function measure(role: Role, durationSeconds: number, connections: number): Promise<Measured> {
  const total = 20_000 * durationSeconds; // more unique deliveries than any run can send
  const server = startServer(role);
  const port = await server.port;
  const prefix = randomBytes(4).toString('hex');
  const bodies = Array.from({ length: total }, (_, n) => {
    const body = JSON.stringify({ n, note: `delivery ${prefix}-${n} ${'x'.repeat(200)}` });
    return { body, headers: { 'content-type': 'application/json', 'x-bench-delivery': `${prefix}-${n}`, ...signWebhook('github', { secret: SECRET, rawBody: body }) } };
  });
  // A short warm-up on the same server (its deliveries are separate and not counted).
  await autocannon({ url: `http://127.0.0.1:${port}/webhooks/bench/ins-bench`, method: 'POST', connections: 2, amount: 50, requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ n: -1, note: 'warm' }), headers: { 'x-bench-delivery': `warm-${Math.random()}`, ...signWebhook('github', { secret: SECRET, rawBody: JSON.stringify({ n: -1, note: 'warm' }) }) } }) }] });
  server.startMeasuring();
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks/bench/ins-bench`,
    method: 'POST',
    connections,
    duration: durationSeconds,
    requests: [
      {
        setupRequest: (req) => {
          const item = bodies[next++ % bodies.length]!;
          return { ...req, body: item.body, headers: item.headers };
        },
        onResponse: (status) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const stats = await server.stats();
  await server.stop();
  if (role !== 'bare' && next > bodies.length) throw new Error('ran out of unique deliveries; raise the pool size');
  return { role, rps: (statuses['202'] ?? 0) / seconds, p50: result.latency.p50, p99: result.latency.p99, statuses, stats };
}

async function main() {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '64' }, rounds: { type: 'string', default: '3' } },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Math.max(1, Number(values.rounds));
  console.log(`bench:webhooks — ${duration} s × ${rounds} rounds each, ${connections} connections, signed unique deliveries, SQLite tier, node:http adapter vs bare node:http 202`);
  const all: Record<Role, Measured[]> = { bare: [], floor: [], router: [] };
  for (let round = 1; round <= rounds; round += 1) {
    for (const role of (process.env.BENCH_ROLES?.split(',') ?? ['bare', 'floor', 'router']) as Role[]) {
      const r = await measure(role, duration, connections);
      all[role].push(r);
      console.log(`  round ${round}: ${role} ${r.rps.toFixed(0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms) ${JSON.stringify(r.statuses)}`);
      const answered = Object.values(r.statuses).reduce((a, b) => a + b, 0);
      if (role !== 'bare' && ((r.statuses['202'] ?? 0) !== answered || (r.stats.acceptedTriggers as number) < answered)) {
        console.error(`not every delivery was admitted durably: ${JSON.stringify(r.statuses)} / ${JSON.stringify(r.stats)}`);
        process.exit(1);
      }
    }
  }
  const median = (list: Measured[]) => [...list].sort((a, b) => a.rps - b.rps)[Math.floor(list.length / 2)]!;
  const router = median(all.router);
  const floor = median(all.floor);
  const bare = median(all.bare);
  const names: Record<Role, string> = {
    router: '@integration/webhook-router (SQLite: verify, admit run+trigger+event, enqueue job)',
    floor: 'floor: raw driver, same signature check and rows, no platform code',
    bare: 'bare node:http (read body, 202)',
  };
  console.log('');
  console.log('| server | requests/s (median) | all rounds | p50 ms | p99 ms | statuses | durable records |');
  console.log('|---|---:|---|---:|---:|---|---|');
  for (const [r, list] of [[router, all.router], [floor, all.floor], [bare, all.bare]] as const) {
    console.log(`| ${names[r.role as Role]} | ${r.rps.toFixed(0)} | ${list.map((m) => m.rps.toFixed(0)).join(' / ')} | ${r.p50} | ${r.p99} | ${JSON.stringify(r.statuses)} | ${JSON.stringify(r.stats)} |`);
  }
  console.log('');
  console.log(`webhook-router / bare node:http = ${(router.rps / bare.rps).toFixed(2)}× requests/s (target ≥ 0.5×)`);
  console.log(`floor / bare node:http = ${(floor.rps / bare.rps).toFixed(2)}× (durable admission by hand: the most any router could reach here)`);
  console.log(`webhook-router / floor = ${(router.rps / floor.rps).toFixed(2)}× (what the platform's code costs)`);
}

const role = process.env.BENCH_ROLE;
if (role === 'router' || role === 'floor' || role === 'bare') {
  void serve(role);
} else {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
