import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineConnector, defineTrigger } from '@integration/contracts';
import { createDirectRuntime } from '../src';
import { contextFor, types } from './fixtures';

describe('direct runtime: trigger capabilities', () => {
  const connectorWith = (handler?: (signal: { id: string }) => Promise<unknown>) =>
    defineConnector({
      id: 'test',
      auth: { type: 'none' },
      catalog: { displayName: 'Test' },
      triggers: [
        defineTrigger({
          id: 'test.item.created',
          description: 'an item was created',
          deliveryMode: 'webhook',
          config: z.object({ org: z.string().optional() }),
          signal: z.object({ id: z.string() }),
          signalType: 'test.item.created',
          signalSource: '/test',
          consumerSurface: { mode: 'connector_local', reason: 'test fixture' },
          ...(handler ? { handler: (signal) => handler(signal as { id: string }) } : {}),
        }),
      ],
    }).capabilities[0]!;

  it("runs a trigger's handler with the admitted signal as input", async () => {
    const capability = connectorWith(async (signal) => ({ seen: signal.id }));
    expect(capability.kind).toBe('trigger');
    const result = await createDirectRuntime().execute(capability, { id: 'item-1' }, contextFor());
    expect(result).toMatchObject({ status: 'completed', output: { seen: 'item-1' } });
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.completed']);
  });

  it('fails a trigger without a handler with runtime_failed (the host supplies one)', async () => {
    const result = await createDirectRuntime().execute(connectorWith(), { id: 'item-1' }, contextFor());
    expect(result.status === 'failed' && result.error).toMatchObject({ code: 'runtime_failed', details: { reason: 'missing_handler' } });
  });
});
