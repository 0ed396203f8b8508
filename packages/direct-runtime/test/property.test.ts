import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '@integration/contracts';
import { createDirectRuntime } from '../src';
import { CANARY_TOKEN, capabilityFor, contextFor, types } from './fixtures';

const runtime = createDirectRuntime();

describe('direct runtime properties', () => {
  it('arbitrary thrown values (sync or async) never escape execute()', async () => {
    const thrownValue = fc.oneof(
      fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
      fc.string().map((s) => new Error(s)),
      fc.string().map((s) => `${s}${CANARY_TOKEN}${s}`),
      fc.constant(Object.create(null)),
      fc.constant(new Proxy({}, { getPrototypeOf() { throw new Error('trap'); }, get() { throw new Error('trap'); } })),
    );
    await fc.assert(
      fc.asyncProperty(thrownValue, fc.boolean(), async (value, sync) => {
        const handler = sync
          ? ((() => {
              throw value;
            }) as never)
          : async () => {
              await Promise.resolve();
              throw value;
            };
        const result = await runtime.execute(capabilityFor(handler), {}, contextFor());
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error).toBeInstanceOf(IntegrationError);
        expect(typeof result.error.message).toBe('string');
        expect(result.error.message).not.toContain(CANARY_TOKEN);
        expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
        expect(JSON.stringify(result.events)).not.toContain(CANARY_TOKEN);
      }),
      { numRuns: 200 },
    );
  });
});
