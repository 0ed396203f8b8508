/** Test agent process: seeds and inspects a Postgres queue for the crash-recovery test (IPC commands). */
import { createIngress, definitionFromTrigger, signWebhook } from '@integration/ingress';
import type { Stores } from '@integration/contracts';
import { createDispatchQueue } from '../../src/index';
import { controlPlaneFor } from '../support/harness';
import { orderCreated, WEBHOOK_SECRET } from '../support/fixtures';
import { dropSchema, openStores, pgReachable } from '../support/pg-child';

let stores: Stores | null = null;
let schema = '';

async function seed(count: number, sleepMs: number): Promise<number> {
  const controlPlane = controlPlaneFor(stores!);
  const ingress = createIngress({ stores: stores!, capabilities: controlPlane });
  const queue = createDispatchQueue({ stores: stores!, maxAttempts: 10 });
  const definition = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET });
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const rawBody = JSON.stringify({ orderId: `crash-${i}`, amount: i, behavior: { sleepMs } });
      await ingress.admitWebhook(
        { tenantId: 'tenant-crash', rawBody, headers: { ...signWebhook('github', { secret: WEBHOOK_SECRET, rawBody }), 'x-acme-delivery': `crash-${i}` } },
        definition,
        { within: async (tx, admission) => void (await queue.enqueueWithin(tx, admission)) },
      );
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
  return count;
}

async function statusCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const job of await stores!.dispatch.listJobs()) counts[job.status] = (counts[job.status] ?? 0) + 1;
  return counts;
}

async function report() {
  const jobs = await stores!.dispatch.listJobs();
  const runs = await stores!.ledger.listRuns({ capabilityId: 'acme.order.created' });
  let attempts = 0;
  const completedPerRun: Record<string, number> = {};
  const abandonedAttempts: number[] = [];
  const attemptStatuses: Record<string, number> = {};
  let lostEvents = 0;
  for (const run of runs) {
    const list = await stores!.ledger.listAttempts(run.runId);
    attempts += list.length;
    const completed = list.filter((a) => a.status === 'completed').length;
    completedPerRun[completed] = (completedPerRun[completed] ?? 0) + 1;
    abandonedAttempts.push(list.filter((a) => a.status === 'running' || a.status === 'accepted').length);
    for (const a of list) attemptStatuses[a.status] = (attemptStatuses[a.status] ?? 0) + 1;
    if (list.some((a) => a.status === 'lost')) lostEvents += (await stores!.ledger.listEvents(run.runId)).filter((e) => e.type === 'attempt.lost').length;
  }
  return {
    jobs: jobs.length,
    jobStatuses: await statusCounts(),
    runs: runs.length,
    runStatuses: runs.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {}),
    attempts,
    completedAttemptsPerRun: completedPerRun,
    abandonedAttempts: abandonedAttempts.reduce((a, b) => a + b, 0),
    attemptStatuses,
    lostEvents,
    maxJobAttempts: Math.max(...jobs.map((j) => j.attempts)),
  };
}

process.on('message', (message: { id: string; cmd: string; [k: string]: unknown }) => {
  const run = async () => {
    switch (message.cmd) {
      case 'init':
        if (!(await pgReachable())) return { skipped: 'postgres unreachable' };
        schema = String(message.schema);
        stores = await openStores(schema);
        return { ready: true };
      case 'seed':
        return seed(Number(message.count), Number(message.sleepMs ?? 0));
      case 'lockedBy':
        return (await stores!.dispatch.listJobs({ status: 'running' })).filter((j) => j.lockedBy?.startsWith(`${String(message.workerId)}#`)).map((j) => j.dispatchId);
      case 'progress':
        return statusCounts();
      case 'report':
        return report();
      case 'close':
        await stores?.close();
        if (schema) await dropSchema(schema);
        setImmediate(() => process.exit(0));
        return true;
      default:
        throw new Error(`unknown command ${message.cmd}`);
    }
  };
  run().then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: String((error as Error)?.stack ?? error) }),
  );
});
