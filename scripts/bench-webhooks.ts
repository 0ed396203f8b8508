/**
 * pnpm bench:webhooks — signed webhook deliveries admitted durably (SQLite tier: verification,
 * one-transaction admission of run + trigger + event + dispatch job) through the router's node:http
 * adapter, versus a bare node:http server that reads the body and answers 202, under the same load
 * (autocannon, same connections and request count, pre-signed unique deliveries).
 * The servers run in a child process so the load generator does not share their event loop.
 *
 * Usage: pnpm bench:webhooks [--requests 4000] [--connections 16]
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

async function serve(role: 'router' | 'bare'): Promise<void> {
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
  process.on('message', async (message: { cmd: string }) => {
    if (message.cmd === 'stats') process.send?.({ stats: await stats() });
    if (message.cmd === 'stop') {
      server.close();
      server.closeAllConnections?.();
      await cleanup();
      process.exit(0);
    }
  });
}

function startServer(role: 'router' | 'bare') {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', '--conditions=source', ...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [])],
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

async function measure(role: 'router' | 'bare', total: number, connections: number): Promise<Measured> {
  const server = startServer(role);
  const port = await server.port;
  const prefix = randomBytes(4).toString('hex');
  const bodies = Array.from({ length: total }, (_, n) => {
    const body = JSON.stringify({ n, note: `delivery ${prefix}-${n} ${'x'.repeat(200)}` });
    return { body, headers: { 'content-type': 'application/json', 'x-bench-delivery': `${prefix}-${n}`, ...signWebhook('github', { secret: SECRET, rawBody: body }) } };
  });
  // A short warm-up on the same server (its deliveries are separate and not counted).
  await autocannon({ url: `http://127.0.0.1:${port}/webhooks/bench/ins-bench`, method: 'POST', connections: 2, amount: 50, requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ n: -1, note: 'warm' }), headers: { 'x-bench-delivery': `warm-${Math.random()}`, ...signWebhook('github', { secret: SECRET, rawBody: JSON.stringify({ n: -1, note: 'warm' }) }) } }) }] });
  const statuses: Record<string, number> = {};
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks/bench/ins-bench`,
    method: 'POST',
    connections,
    amount: total,
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
  const stats = await server.stats();
  await server.stop();
  return { role, rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, statuses, stats };
}

async function main() {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '4000' }, connections: { type: 'string', default: '16' } } });
  const total = Number(values.requests);
  const connections = Number(values.connections);
  console.log(`bench:webhooks — ${total} signed deliveries, ${connections} connections, SQLite tier, node:http adapter vs bare node:http 202`);
  const bare = await measure('bare', total, connections);
  const router = await measure('router', total, connections);
  console.log('');
  console.log('| server | requests/s | p50 ms | p99 ms | statuses | durable records |');
  console.log('|---|---:|---:|---:|---|---|');
  for (const r of [router, bare]) {
    console.log(`| ${r.role === 'router' ? '@integration/webhook-router (SQLite, admit + enqueue)' : 'bare node:http (202)'} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${JSON.stringify(r.statuses)} | ${JSON.stringify(r.stats)} |`);
  }
  console.log('');
  console.log(`webhook-router / bare node:http = ${(router.rps / bare.rps).toFixed(2)}× requests/s (target ≥ 0.5×)`);
  const admitted = router.stats.acceptedTriggers as number;
  if ((router.statuses['202'] ?? 0) !== total || admitted < total) {
    console.error(`not every delivery was admitted durably: ${JSON.stringify(router.statuses)} / ${admitted}`);
    process.exit(1);
  }
}

const role = process.env.BENCH_ROLE;
if (role === 'router' || role === 'bare') {
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
