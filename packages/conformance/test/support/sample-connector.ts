import { z } from 'zod';
import { defineConnector, defineOperation, defineTrigger, type ConnectorDefinition } from '@integration/contracts';

export const SAMPLE_TOKEN = 'sample-fixture-token-0001';

const Item = z.strictObject({ id: z.number().int().positive(), title: z.string(), owner: z.string() });

/**
 * A valid connector touching every suite: two direct operations, a session operation on the
 * in-process driver (local_echo) and a signed webhook trigger with a handler, each with a fixture.
 */
export function sampleConnector(): ConnectorDefinition {
  const fetch = defineOperation({
    id: 'sample.item.fetch',
    description: 'Fetch an item',
    input: z.strictObject({ id: z.number().int().positive() }),
    output: Item,
    scopes: ['sample:read'],
    consumerSurface: { mode: 'common', normalizedId: 'item.fetch', actionName: 'sample_item_fetch' },
    async handler(input, ctx) {
      ctx.logger.info({ id: input.id }, 'fetching item');
      ctx.emit({ type: 'connector.sample.item.fetched', payload: { id: input.id } });
      await ctx.artifact({ type: 'tool_output', slug: 'item_fetch', content: { id: input.id, title: `Item ${input.id}` } });
      return { id: input.id, title: `Item ${input.id}`, owner: ctx.lease.subject };
    },
  });
  const create = defineOperation({
    id: 'sample.item.create',
    description: 'Create an item',
    input: z.strictObject({ title: z.string().min(1) }),
    output: Item,
    scopes: ['sample:write'],
    consumerSurface: { mode: 'common', normalizedId: 'item.create', actionName: 'sample_item_create' },
    async handler(input, ctx) {
      ctx.emit({ type: 'connector.sample.item.created', payload: { title: input.title } });
      await ctx.artifact({ type: 'tool_output', slug: 'item_create', content: { title: input.title } });
      return { id: 7, title: input.title, owner: ctx.lease.subject };
    },
  });
  const turn = defineOperation({
    id: 'sample.session.turn',
    description: 'One turn of an echo session',
    runtimeClass: 'session',
    input: z.strictObject({ prompt: z.string().min(1) }),
    output: z.object({ reply: z.string(), turn: z.number().int() }),
    scopes: ['sample:read'],
    runtime: { driver: 'in-process', provider: 'local_echo' },
    runtimeFamily: { sessionAffinity: 'connection', resumable: true, approvalRequired: false, streamCapable: false, runtimeRef: 'session' },
    policy: { sandbox: { fileScope: '/workspaces/sample' } },
    consumerSurface: { mode: 'connector_local', reason: 'test session' },
  });
  const created = defineTrigger({
    id: 'sample.item.created',
    description: 'An item was created',
    deliveryMode: 'webhook',
    config: z.strictObject({ repo: z.string().optional() }),
    signal: z.object({ id: z.number().int(), title: z.string() }),
    signalType: 'sample.item.created',
    signalSource: '/ingress/webhook/sample/item.created',
    verification: { scheme: 'github', secretName: 'webhook_secret' },
    async handler(signal, ctx) {
      ctx.emit({ type: 'connector.sample.item.received', payload: { id: signal.id } });
      await ctx.artifact({ type: 'tool_output', slug: 'item_received', content: signal });
      return { received: signal.id };
    },
    consumerSurface: { mode: 'common', normalizedId: 'item.created', sensorName: 'sample_item_created' },
  });
  const lease = { subject: 'sample-user', payload: { access_token: SAMPLE_TOKEN } };
  return defineConnector({
    id: 'sample',
    auth: { type: 'api_token', requestedScopes: ['sample:read', 'sample:write'], leaseFields: ['access_token'], secretNames: ['webhook_secret'] },
    catalog: { displayName: 'Sample' },
    operations: [fetch, create, turn],
    triggers: [created],
    conformance: {
      fixtures: [
        { name: 'fetch', capabilityId: 'sample.item.fetch', input: { id: 3 }, lease, expect: { output: { id: 3, title: 'Item 3', owner: 'sample-user' }, eventTypes: ['connector.sample.item.fetched'], artifactTypes: ['tool_output'] } },
        { name: 'create', capabilityId: 'sample.item.create', input: { title: 'New' }, lease },
        {
          name: 'echo turn',
          capabilityId: 'sample.session.turn',
          input: { prompt: 'hello' },
          lease,
          expect: { eventTypes: ['attempt.started', 'session.started', 'session.run_started', 'session.assistant_message', 'connector.sample.turn.completed', 'attempt.completed'], artifactTypes: ['event_log'] },
        },
        { name: 'webhook signal', capabilityId: 'sample.item.created', input: { id: 5, title: 'Five' }, lease },
      ],
    },
  });
}

/**
 * A copy of a definition with some parts replaced, as a third-party tool might hand-build one
 * (no defineConnector validation). Capabilities are re-derived only where a test says so.
 */
export function mutate(connector: ConnectorDefinition, patch: (draft: ConnectorDefinition) => void): ConnectorDefinition {
  const draft: ConnectorDefinition = {
    ...connector,
    auth: { ...connector.auth, requestedScopes: [...connector.auth.requestedScopes] },
    operations: connector.operations.map((o) => ({ ...o })),
    triggers: connector.triggers.map((t) => ({ ...t })),
    capabilities: connector.capabilities.map((c) => ({ ...c })),
    conformance: connector.conformance ? { ...connector.conformance, fixtures: [...connector.conformance.fixtures] } : null,
  };
  patch(draft);
  return draft;
}
