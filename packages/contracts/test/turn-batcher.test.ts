import fc from 'fast-check';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TurnBatcher, type TurnBatcherOptions } from '../src';

/** A batcher over numbers that records every batch it ran and doubles each input. */
function recording(overrides: Partial<TurnBatcherOptions<number, number>> = {}) {
  const batches: number[][] = [];
  const alone: number[] = [];
  let running = 0;
  let overlapped = false;
  const batcher = new TurnBatcher<number, number>({
    maxBatch: 4,
    runBatch: async (inputs) => {
      running += 1;
      overlapped ||= running > 1;
      batches.push(inputs);
      await nextTurn();
      running -= 1;
      return inputs.map((n) => ({ ok: true, value: n * 2 }));
    },
    runAlone: async (n) => {
      alone.push(n);
      return n * 2;
    },
    ...overrides,
  });
  return { batcher, batches, alone, overlapped: () => overlapped };
}

describe('TurnBatcher', () => {
  it('shares one batch among the calls of a turn, splits at maxBatch, and runs a lone call alone', async () => {
    const { batcher, batches, alone } = recording();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.submit(n)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(alone).toEqual([]);
    expect(await batcher.submit(7)).toBe(14);
    expect(alone).toEqual([7]);
  });

  it('never puts one key twice in a batch', async () => {
    const { batcher, batches } = recording({ keyOf: (n) => String(n % 2) });
    await Promise.all([1, 3, 2, 4].map((n) => batcher.submit(n)));
    for (const batch of batches) expect(new Set(batch.map((n) => n % 2)).size).toBe(batch.length);
  });

  it('runs each call of a batch that threw alone, so one bad call fails only itself', async () => {
    const batcher = new TurnBatcher<number, number>({
      maxBatch: 10,
      runBatch: async () => {
        throw new Error('shared failure');
      },
      runAlone: async (n) => {
        if (n === 2) throw new Error('bad input');
        return n;
      },
    });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([1, 'bad input', 3]);
  });

  it('rejects a call whose outcome says so, and resolves its neighbours', async () => {
    const batcher = new TurnBatcher<number, number>({
      maxBatch: 10,
      runBatch: async (inputs) => inputs.map((n) => (n === 2 ? { ok: false, error: new Error('two') } : { ok: true, value: n })),
      runAlone: async (n) => n,
    });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('enters `hold` when the first call arrives, so work queued after it waits for the batch', async () => {
    const order: string[] = [];
    let tail = Promise.resolve();
    const hold = (run: () => Promise<void>) => (tail = tail.then(run));
    const batcher = new TurnBatcher<number, number>({
      maxBatch: 10,
      hold,
      runBatch: async (inputs) => (order.push(`batch ${inputs.join(',')}`), inputs.map((n) => ({ ok: true, value: n }))),
      runAlone: async (n) => (order.push(`alone ${n}`), n),
    });
    const calls = [batcher.submit(1), batcher.submit(2)];
    const later = hold(async () => void order.push('queued after'));
    await Promise.all([...calls, later]);
    expect(order).toEqual(['batch 1,2', 'queued after']);
  });

  it('rejects the calls of a batch whose hold fails instead of leaving them waiting', async () => {
    const batcher = new TurnBatcher<number, number>({
      maxBatch: 10,
      hold: async () => {
        throw new Error('closed');
      },
      runBatch: async (inputs) => inputs.map((n) => ({ ok: true, value: n })),
      runAlone: async (n) => n,
    });
    await expect(batcher.submit(1)).rejects.toThrow('closed');
  });

  it('settles every call exactly once with its own value; batches never overlap, overfill or repeat a key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 12 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        async (turns, maxBatch) => {
          const { batcher, batches, overlapped } = recording({ maxBatch, keyOf: (n) => String(n) });
          const pending: Array<Promise<number>> = [];
          const expected: number[] = [];
          for (const turn of turns) {
            for (const n of turn) {
              pending.push(batcher.submit(n));
              expected.push(n * 2);
            }
            await nextTurn();
          }
          expect(await Promise.all(pending)).toEqual(expected);
          expect(overlapped()).toBe(false);
          for (const batch of batches) {
            expect(batch.length).toBeLessThanOrEqual(maxBatch);
            expect(new Set(batch).size).toBe(batch.length);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
