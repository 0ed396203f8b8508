import { createIngress, definitionFromTrigger, signWebhook } from '@integration/ingress';
import type { Stores } from '@integration/contracts';
import { createDispatchQueue, createDispatchWorker, type DispatchWorkerOptions, type EnqueueOptions } from '../../src/index';
import { createControlPlane } from '@integration/control-plane';
import { createDirectRuntime } from '@integration/direct-runtime';
import { acme, orderCreated, WEBHOOK_SECRET } from './fixtures';

/** The real control plane (direct runtime) with the test connector registered. */
export function controlPlaneFor(stores: Stores) {
  const controlPlane = createControlPlane({ stores, runtimes: { direct: createDirectRuntime() } });
  controlPlane.registerConnector(acme);
  return controlPlane;
}

/** Admission + queue + executor over one Stores, as the platform would wire them. */
export function harness(stores: Stores, queueOptions: { maxAttempts?: number } = {}) {
  const controlPlane = controlPlaneFor(stores);
  const capabilities = controlPlane;
  const ingress = createIngress({ stores, capabilities });
  const definition = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET });
  const queue = createDispatchQueue({ stores, ...queueOptions });
  const executor = controlPlane;
  let n = 0;
  async function admitAndEnqueue(body: Record<string, unknown>, options: EnqueueOptions & { delivery?: string; tenantId?: string } = {}) {
    n += 1;
    const rawBody = JSON.stringify({ orderId: `o-${n}`, amount: n, ...body });
    let enqueued: Awaited<ReturnType<typeof queue.enqueueWithin>> | undefined;
    const admission = await ingress.admitWebhook(
      {
        tenantId: options.tenantId ?? 'tenant-a',
        rawBody,
        headers: { ...signWebhook('github', { secret: WEBHOOK_SECRET, rawBody }), 'x-acme-delivery': options.delivery ?? `dlv-${n}-${Math.random()}` },
      },
      definition,
      { within: async (tx, a) => void (enqueued = await queue.enqueueWithin(tx, a, options)) },
    );
    queue.announce(enqueued!);
    return { admission, job: enqueued!.job, status: enqueued!.status };
  }
  const worker = (options: Partial<DispatchWorkerOptions> = {}) =>
    createDispatchWorker({ stores, executor, concurrency: 4, pollIntervalMs: 50, leaseMs: 2_000, backoff: { baseMs: 5, capMs: 20 }, ...options });
  return { ingress, definition, queue, executor, admitAndEnqueue, worker };
}
