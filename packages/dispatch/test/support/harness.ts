import { createIngress, definitionFromTrigger, signWebhook } from '@integration/ingress';
import type { Stores } from '@integration/contracts';
import { createDispatchQueue, createDispatchWorker, type DispatchWorkerOptions, type EnqueueOptions } from '../../src/index';
import { acme, capabilityRegistry, orderCreated, WEBHOOK_SECRET } from './fixtures';
import { ledgerExecutor } from './ledger-executor';

export const capabilities = capabilityRegistry(acme);

/** Admission + queue + executor over one Stores, as the platform would wire them. */
export function harness(stores: Stores, queueOptions: { maxAttempts?: number } = {}) {
  const ingress = createIngress({ stores, capabilities });
  const definition = definitionFromTrigger('acme', orderCreated, { secret: WEBHOOK_SECRET });
  const queue = createDispatchQueue({ stores, ...queueOptions });
  const executor = ledgerExecutor({ stores, capabilities });
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
