import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, defineOperation, defineTrigger, type IntegrationError } from '../src';

const op = (overrides: Record<string, unknown> = {}) =>
  defineOperation({
    id: 'demo.thing.do',
    description: 'do it',
    input: z.strictObject({ a: z.string() }),
    output: z.strictObject({ b: z.string() }),
    scopes: ['thing:write'],
    consumerSurface: { mode: 'common', normalizedId: 'thing.do', actionName: 'thing_do' },
    handler: async () => ({ b: 'x' }),
    ...overrides,
  } as never);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect((error as IntegrationError).code).toBe('invalid_definition');
    return (error as IntegrationError).details.problems as string[];
  }
  throw new Error('expected invalid_definition');
}

describe('defineOperation', () => {
  it('rejects placeholder schemas unless declared passthrough with a justification', () => {
    expect(problemsOf(() => op({ input: z.any() })).join()).toMatch(/placeholder/);
    expect(problemsOf(() => op({ output: z.record(z.string(), z.unknown()) })).join()).toMatch(/placeholder/);
    expect(problemsOf(() => op({ input: z.any(), schemaPolicy: { input: 'passthrough' } })).join()).toMatch(/justification|common/);
    const local = op({
      input: z.any(),
      schemaPolicy: { input: 'passthrough', justification: 'provider payloads are opaque' },
      consumerSurface: { mode: 'connector_local', reason: 'raw access' },
    });
    expect(local.schemaPolicy.input).toBe('passthrough');
    expect(problemsOf(() => op({ schemaPolicy: { justification: 'why' } })).join()).toMatch(/only allowed with a passthrough/);
  });

  it('checks consumer surfaces and runtime routing', () => {
    expect(problemsOf(() => op({ consumerSurface: { mode: 'common', normalizedId: 'x' } })).join()).toMatch(/actionName/);
    expect(problemsOf(() => op({ consumerSurface: { mode: 'connector_local' } })).join()).toMatch(/reason/);
    expect(problemsOf(() => op({ runtimeClass: 'session', handler: undefined })).join()).toMatch(/runtime\.driver/);
    expect(problemsOf(() => op({ handler: undefined })).join()).toMatch(/handler/);
    expect(problemsOf(() => op({ id: 'NotDotted' })).join()).toMatch(/id must be/);
  });
});

describe('defineConnector', () => {
  const base = {
    id: 'demo',
    auth: { type: 'oauth2' as const, requestedScopes: ['thing:write'], secretNames: ['webhook_secret'] },
    catalog: { displayName: 'Demo' },
  };
  const webhook = (overrides: Record<string, unknown> = {}) =>
    defineTrigger({
      id: 'demo.thing.changed',
      description: 'changed',
      deliveryMode: 'webhook',
      config: z.strictObject({}),
      signal: z.strictObject({ id: z.string() }),
      signalType: 'demo.thing.changed',
      signalSource: '/demo',
      verification: { scheme: 'hmac_sha256', secretName: 'webhook_secret' },
      consumerSurface: { mode: 'common', normalizedId: 'thing.changed', sensorName: 'thing_changed' },
      ...overrides,
    } as never);

  it('derives sorted capabilities and runtime families', () => {
    const connector = defineConnector({ ...base, operations: [op()], triggers: [webhook()] });
    expect(connector.capabilities.map((c) => [c.id, c.kind])).toEqual([
      ['demo.thing.changed', 'trigger'],
      ['demo.thing.do', 'operation'],
    ]);
    expect(connector.runtimeFamilies).toEqual(['direct']);
    expect(connector.capabilities[1]!.policy.allowedOperations).toEqual(['demo.thing.do']);
  });

  it('requires scope and secret coverage, unique ids and unique consumer names', () => {
    expect(problemsOf(() => defineConnector({ ...base, auth: { type: 'oauth2' }, operations: [op()] })).join()).toMatch(/requestedScopes does not cover/);
    expect(problemsOf(() => defineConnector({ ...base, auth: { type: 'oauth2', requestedScopes: ['thing:write'] }, triggers: [webhook()] })).join()).toMatch(/secretNames/);
    expect(problemsOf(() => defineConnector({ ...base, operations: [op(), op()] })).join()).toMatch(/duplicate capability id/);
    expect(problemsOf(() => defineConnector({ ...base, operations: [op(), op({ id: 'demo.thing.other' })] })).join()).toMatch(/action name "thing_do"/);
    expect(problemsOf(() => defineConnector({ ...base, operations: [] })).join()).toMatch(/at least one/);
    expect(problemsOf(() => defineConnector({ ...base, operations: [op()], capabilities: [] } as never)).join()).toMatch(/derived/);
  });

  it('validates polling on poll triggers', () => {
    expect(problemsOf(() => webhook({ deliveryMode: 'poll' })).join()).toMatch(/polling/);
    expect(problemsOf(() => webhook({ polling: { defaultIntervalMs: 1000 } })).join()).toMatch(/may not declare polling/);
    expect(
      problemsOf(() => webhook({ deliveryMode: 'poll', verification: undefined, polling: { defaultIntervalMs: 1000, minIntervalMs: 5000 }, poll: async () => ({}) })).join(),
    ).toMatch(/minIntervalMs/);
  });
});
