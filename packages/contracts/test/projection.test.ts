import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, defineOperation, defineTrigger, IntegrationError, projectCatalogEntries } from '../src/index';

const handler = async () => ({ ok: true });

function op(id: string, surface: { mode: 'common'; normalizedId: string; actionName: string } | { mode: 'connector_local'; reason: string }) {
  return defineOperation({
    id,
    displayName: `Op ${id}`,
    description: `does ${id}`,
    input: z.strictObject({ name: z.string().min(1), count: z.number().int().default(1) }),
    output: z.object({ ok: z.boolean(), at: z.iso.datetime().optional() }),
    scopes: ['demo:write'],
    handler,
    consumerSurface: surface,
  });
}

function pollTrigger(id: string, sensorName: string, normalizedId: string) {
  return defineTrigger({
    id,
    description: 'items changed',
    deliveryMode: 'poll',
    config: z.strictObject({ pageSize: z.number().int().min(1).default(10) }),
    signal: z.object({ itemId: z.string(), changedAt: z.string() }),
    signalType: 'demo.item.changed',
    signalSource: '/ingress/poll/demo/item.changed',
    polling: { defaultIntervalMs: 60_000, minIntervalMs: 5_000 },
    poll: async () => ({ signals: [], dedupeKeys: [], checkpoint: { cursor: 'c' } }),
    checkpoint: { strategy: 'timestamp_cursor', field: 'changedAt', partitionKey: 'workspace' },
    dedupe: { strategy: 'item_id_changed_at' },
    scopes: ['demo:read'],
    consumerSurface: { mode: 'common', normalizedId, sensorName },
  });
}

function demoConnector() {
  return defineConnector({
    id: 'demo',
    auth: { type: 'api_token', requestedScopes: ['demo:write', 'demo:read'], leaseFields: ['access_token'] },
    catalog: { displayName: 'Demo', description: 'A demo', category: 'testing', tags: ['demo'], docsRefs: ['https://example.com/docs'], maturity: 'beta', publication: 'public' },
    operations: [
      op('demo.item.update', { mode: 'common', normalizedId: 'item.update', actionName: 'item_update' }),
      op('demo.item.create', { mode: 'common', normalizedId: 'item.create', actionName: 'item_create' }),
      op('demo.admin.purge', { mode: 'connector_local', reason: 'dangerous admin operation' }),
    ],
    triggers: [pollTrigger('demo.item.changed', 'item_changed', 'item.changed')],
  });
}

describe('projectCatalogEntries', () => {
  it('projects only common surfaces, with catalog fields and JSON Schemas', () => {
    const [entry, ...rest] = projectCatalogEntries([demoConnector()]);
    expect(rest).toHaveLength(0);
    expect(entry).toMatchObject({
      connectorId: 'demo',
      displayName: 'Demo',
      description: 'A demo',
      category: 'testing',
      tags: ['demo'],
      docsRefs: ['https://example.com/docs'],
      maturity: 'beta',
      publication: 'public',
    });
    expect(entry!.operations.map((o) => o.operationId)).toEqual(['demo.item.create', 'demo.item.update']);
    const create = entry!.operations[0]!;
    expect(create).toMatchObject({
      normalizedId: 'item.create',
      actionName: 'item_create',
      displayName: 'Op demo.item.create',
      description: 'does demo.item.create',
      runtimeClass: 'direct',
      requiredScopes: ['demo:write'],
    });
    // Input view: a defaulted field is optional; strict objects forbid extra keys.
    expect(create.inputJsonSchema).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
    expect(create.inputJsonSchema.properties).toMatchObject({ name: { type: 'string', minLength: 1 }, count: { type: 'integer', default: 1 } });
    expect(create.outputJsonSchema).toMatchObject({ type: 'object', required: ['ok'] });

    expect(entry!.triggers).toEqual([
      {
        triggerId: 'demo.item.changed',
        normalizedId: 'item.changed',
        sensorName: 'item_changed',
        deliveryMode: 'poll',
        signalType: 'demo.item.changed',
        signalSource: '/ingress/poll/demo/item.changed',
        configJsonSchema: expect.objectContaining({ type: 'object', additionalProperties: false }),
        signalJsonSchema: expect.objectContaining({ type: 'object', required: ['itemId', 'changedAt'] }),
        checkpoint: { strategy: 'timestamp_cursor', field: 'changedAt', partitionKey: 'workspace' },
        dedupe: { strategy: 'item_id_changed_at' },
      },
    ]);
  });

  it('is plain JSON: a JSON round trip is lossless and handlers never leak into it', () => {
    const entries = projectCatalogEntries([demoConnector()]);
    const text = JSON.stringify(entries);
    expect(JSON.parse(text)).toEqual(entries);
    expect(text).not.toContain('demo.admin.purge');
    expect(text).not.toContain('dangerous admin operation');
  });

  it('keeps connector order and lists connectors with no common surface with empty lists', () => {
    const local = defineConnector({
      id: 'local_only',
      auth: { type: 'api_token', requestedScopes: ['demo:write'] },
      catalog: { displayName: 'Local only' },
      operations: [op('local_only.thing.run', { mode: 'connector_local', reason: 'internal tooling' })],
    });
    const entries = projectCatalogEntries([local, demoConnector()]);
    expect(entries.map((e) => e.connectorId)).toEqual(['local_only', 'demo']);
    expect(entries[0]).toMatchObject({ operations: [], triggers: [], maturity: 'experimental', publication: 'internal', category: 'uncategorized' });
    expect(projectCatalogEntries([])).toEqual([]);
  });

  it('does not share mutable state with the definition', () => {
    const connector = demoConnector();
    const [entry] = projectCatalogEntries([connector]);
    entry!.tags.push('mutated');
    entry!.operations[0]!.requiredScopes.push('mutated');
    entry!.triggers[0]!.checkpoint!.strategy = 'mutated';
    expect(connector.catalog.tags).toEqual(['demo']);
    expect(connector.operations[0]!.scopes).toEqual(['demo:write']);
    expect(connector.triggers[0]!.checkpoint!.strategy).toBe('timestamp_cursor');
  });

  it('represents unrepresentable schema parts as open schemas instead of failing', () => {
    const connector = defineConnector({
      id: 'odd',
      auth: { type: 'none' },
      catalog: { displayName: 'Odd' },
      operations: [
        defineOperation({
          id: 'odd.thing.run',
          description: 'transforms and customs',
          input: z.strictObject({ when: z.string().transform((s) => s.length), blob: z.custom<Uint8Array>((v) => v instanceof Uint8Array) }),
          output: z.object({ size: z.bigint() }),
          handler: async () => ({ size: 1n }),
          consumerSurface: { mode: 'common', normalizedId: 'thing.run', actionName: 'thing_run' },
        }),
      ],
    });
    const [entry] = projectCatalogEntries([connector]);
    const operation = entry!.operations[0]!;
    expect(operation.inputJsonSchema.properties).toMatchObject({ when: { type: 'string' }, blob: {} });
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });
});

describe('consumer surface collisions are definition-time errors', () => {
  it('rejects two operations with the same action name', () => {
    const build = () =>
      defineConnector({
        id: 'clash',
        auth: { type: 'api_token', requestedScopes: ['demo:write'] },
        catalog: { displayName: 'Clash' },
        operations: [
          op('clash.a.run', { mode: 'common', normalizedId: 'a.run', actionName: 'run_it' }),
          op('clash.b.run', { mode: 'common', normalizedId: 'b.run', actionName: 'run_it' }),
        ],
      });
    expect(build).toThrow(IntegrationError);
    expect(build).toThrow(/action name "run_it" is used by more than one operation/);
  });

  it('rejects two triggers with the same sensor name', () => {
    let caught: unknown;
    try {
      defineConnector({
        id: 'clash',
        auth: { type: 'api_token', requestedScopes: ['demo:read'] },
        catalog: { displayName: 'Clash' },
        triggers: [pollTrigger('clash.a.changed', 'changed', 'a.changed'), pollTrigger('clash.b.changed', 'changed', 'b.changed')],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IntegrationError);
    expect((caught as IntegrationError).code).toBe('invalid_definition');
    expect((caught as IntegrationError).details.problems).toContain('sensor name "changed" is used by more than one trigger');
  });
});
