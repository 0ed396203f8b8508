import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@integration/contracts';
import { SessionCache } from '../src';

type Op = { kind: 'set' | 'get' | 'evict'; key: number } | { kind: 'advance'; ms: number };

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constantFrom('set' as const, 'get' as const, 'evict' as const), key: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }),
  ),
  { maxLength: 60 },
);

describe('SessionCache (model-based property)', () => {
  it('behaves like an LRU map with idle TTL, and stops exactly what it drops', async () => {
    await fc.assert(
      fc.asyncProperty(ops, fc.integer({ min: 1, max: 4 }), async (sequence: Op[], maxSessions) => {
        const ttlMs = 500;
        const clock = new ManualClock();
        const stopped: string[] = [];
        const cache = new SessionCache<string>({ ttlMs, maxSessions }, clock, async (_k, value) => {
          stopped.push(value);
        });
        // Model: key → { value, lastUsed }, insertion order = recency order.
        const model = new Map<string, { value: string; lastUsed: number }>();
        const expectedStops: string[] = [];
        let version = 0;
        const expire = () => {
          for (const [k, v] of [...model]) {
            if (clock.now() - v.lastUsed >= ttlMs) {
              model.delete(k);
              expectedStops.push(v.value);
            }
          }
        };
        for (const op of sequence) {
          if (op.kind === 'advance') {
            clock.advance(op.ms);
            continue;
          }
          const key = `k${op.key}`;
          if (op.kind === 'set') {
            version += 1;
            const value = `${key}@${version}`;
            const previous = model.get(key);
            model.delete(key);
            await cache.set(key, value);
            // Replacing a key drops the old value without stopping it (the caller owns it).
            void previous;
            model.set(key, { value, lastUsed: clock.now() });
            expire();
            while (model.size > maxSessions) {
              const [oldest, slot] = model.entries().next().value as [string, { value: string }];
              model.delete(oldest);
              expectedStops.push(slot.value);
            }
          } else if (op.kind === 'get') {
            const slot = model.get(key);
            const got = await cache.get(key);
            if (slot && clock.now() - slot.lastUsed >= ttlMs) {
              model.delete(key);
              expectedStops.push(slot.value);
              expect(got).toBeUndefined();
            } else if (slot) {
              expect(got).toBe(slot.value);
              model.delete(key);
              model.set(key, { value: slot.value, lastUsed: clock.now() });
            } else {
              expect(got).toBeUndefined();
            }
          } else {
            const slot = model.get(key);
            expect(await cache.evict(key, 'closed')).toBe(!!slot);
            if (slot) {
              model.delete(key);
              expectedStops.push(slot.value);
            }
          }
          expect(cache.keys()).toEqual([...model.keys()]);
          expect(cache.size).toBeLessThanOrEqual(maxSessions);
        }
        expect(stopped).toEqual(expectedStops);
      }),
      { numRuns: 200 },
    );
  });
});
