import { z } from 'zod';
import { ConnectorError, defineConnector, defineTrigger, NotFoundError, type Capability } from '@integration/contracts';

export const WEBHOOK_SECRET = 'whk-canary-secret-3f9c1d7e';

export const OrderSignal = z.object({
  orderId: z.string().min(1),
  amount: z.number().nonnegative(),
  behavior: z
    .object({
      failTimes: z.number().int().nonnegative().optional(),
      terminal: z.boolean().optional(),
      retryAfterMs: z.number().int().nonnegative().optional(),
      sleepMs: z.number().int().nonnegative().optional(),
      /** Per-attempt sleep: attempt N sleeps entry N-1 (past the list: sleepMs), e.g. a stall on attempt 1 only. */
      sleepMsByAttempt: z.array(z.number().int().nonnegative()).optional(),
    })
    .optional(),
});

/** A webhook trigger whose handler fails as the payload asks (for retry and dead-letter tests). */
export const orderCreated = defineTrigger({
  id: 'acme.order.created',
  description: 'An order was created in Acme',
  deliveryMode: 'webhook',
  config: z.object({ shop: z.string().optional() }),
  signal: OrderSignal,
  signalType: 'com.acme.order.created',
  signalSource: '/webhooks/acme/orders',
  verification: { scheme: 'github', secretName: 'webhook_secret' },
  deliveryIdHeader: 'X-Acme-Delivery',
  consumerSurface: { mode: 'common', normalizedId: 'acme.order.created', sensorName: 'acme_order_created' },
  handler: async (signal, ctx) => {
    const behavior = signal.behavior ?? {};
    const sleepMs = behavior.sleepMsByAttempt?.[ctx.attempt - 1] ?? behavior.sleepMs;
    if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
    if (behavior.terminal) throw new ConnectorError({ class: 'invalid_request', message: `order ${signal.orderId} is malformed upstream` });
    if (behavior.failTimes !== undefined && ctx.attempt <= behavior.failTimes) {
      throw new ConnectorError({
        class: 'unavailable',
        message: `backend unavailable on attempt ${ctx.attempt}`,
        ...(behavior.retryAfterMs === undefined ? {} : { retryAfterMs: behavior.retryAfterMs }),
      });
    }
    return { orderId: signal.orderId, attempt: ctx.attempt, total: signal.amount };
  },
});

export const orderPolled = defineTrigger({
  id: 'acme.order.polled',
  description: 'Orders found by polling',
  deliveryMode: 'poll',
  config: z.object({ shop: z.string().optional() }),
  signal: OrderSignal,
  signalType: 'com.acme.order.polled',
  signalSource: '/poll/acme/orders',
  polling: { defaultIntervalMs: 60_000 },
  poll: async () => ({ signals: [], dedupeKeys: [], checkpoint: { cursor: '0' } }),
  consumerSurface: { mode: 'common', normalizedId: 'acme.order.polled', sensorName: 'acme_order_polled' },
  handler: async (signal) => ({ orderId: signal.orderId }),
});

export const acme = defineConnector({
  id: 'acme',
  auth: { type: 'api_token', secretNames: ['webhook_secret'], leaseFields: ['api_token'] },
  catalog: { displayName: 'Acme' },
  triggers: [orderCreated, orderPolled],
});

export function capabilityRegistry(...connectors: { capabilities: Capability[] }[]) {
  const byId = new Map(connectors.flatMap((c) => c.capabilities.map((cap) => [cap.id, cap] as const)));
  return {
    fetchCapability(id: string): Capability {
      const capability = byId.get(id);
      if (!capability) throw new NotFoundError('unknown_capability', `no capability ${id}`);
      return capability;
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)?.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
