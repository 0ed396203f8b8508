/**
 * Postgres goes away under a running router (a TCP proxy in front of the shared server is cut, so
 * the server itself is never touched): deliveries get 503 + Retry-After, nothing half-written;
 * when it returns, the senders' retries are admitted and every delivery runs exactly once.
 */
import net from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyRing } from '@integration/auth';
import { createDispatchQueue, createDispatchWorker } from '@integration/dispatch';
import { signWebhook } from '@integration/ingress';
import { createWebhookRouter } from '../../src/index';
import { controlPlaneFor } from '../../../dispatch/test/support/harness';
import { WEBHOOK_SECRET, waitFor } from '../../../dispatch/test/support/fixtures';
import { dropSchema, openStores, pgReachable, report } from '../../../dispatch/test/support/pg-child';

const upstream = new URL(process.env.INTEGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

function proxy() {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const target = net.connect(Number(upstream.port || 5432), upstream.hostname);
        for (const s of [client, target]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(target).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  return { listen, cut, url: () => `postgres://${upstream.username}@127.0.0.1:${port}${upstream.pathname}` };
}

async function main() {
  if (!(await pgReachable())) return report({ skipped: 'postgres unreachable' });
  const schema = `t_outage_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const p = proxy();
  await p.listen();
  const stores = await openStores(schema, p.url(), { connectionTimeoutMs: 1_000, max: 4 });
  const controlPlane = controlPlaneFor(stores);
  const sealing = { keys: { k1: randomBytes(32).toString('base64') }, activeKeyId: 'k1' };
  const queue = createDispatchQueue({ stores });
  const router = createWebhookRouter({ stores, capabilities: controlPlane, sealer: KeyRing.fromConfig(sealing), queue });
  await router.registerRoute({ connectorId: 'acme', triggerId: 'acme.order.created', topology: 'dynamic_per_install', installId: 'ins-1', tenantId: 'tenant-a', verification: { scheme: 'github', secret: WEBHOOK_SECRET } });
  const send = async (delivery: string, n: number) => {
    const rawBody = JSON.stringify({ orderId: `o-${n}`, amount: n });
    const res = await router.fetchHandler(
      new Request('http://127.0.0.1/webhooks/acme/ins-1', { method: 'POST', headers: { ...signWebhook('github', { secret: WEBHOOK_SECRET, rawBody }), 'x-acme-delivery': delivery }, body: rawBody }),
    );
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  };

  const steps: Record<string, unknown> = {};
  steps.beforeOutage = await send('dlv-a', 1);
  await p.cut();
  steps.duringOutageNew = await send('dlv-b', 2);
  steps.duringOutageRepeat = await send('dlv-a', 1);
  await p.listen();
  steps.afterNew = await waitFor(() => send('dlv-b', 2), (r) => r.status !== 503, 20_000, 200);
  steps.afterRepeat = await send('dlv-a', 1);

  const worker = createDispatchWorker({ stores, executor: controlPlane, concurrency: 2, pollIntervalMs: 100 });
  worker.start();
  const jobs = await waitFor(() => stores.dispatch.listJobs(), (list) => list.length === 2 && list.every((j) => j.status === 'completed'), 20_000);
  await worker.stop();
  const runs = await stores.ledger.listRuns();
  const attempts = await Promise.all(runs.map((r) => stores.ledger.listAttempts(r.runId)));
  steps.final = {
    jobs: jobs.map((j) => j.status),
    runs: runs.map((r) => r.status),
    completedAttemptsPerRun: attempts.map((list) => list.filter((a) => a.status === 'completed').length),
    acceptedTriggers: (await stores.ingress.listTriggers({ status: 'accepted' })).length,
  };
  await stores.close();
  await p.cut();
  await dropSchema(schema);
  report(steps);
}

main().catch((error) => {
  console.error(error);
  report({ error: String(error?.stack ?? error) }, 1);
});
