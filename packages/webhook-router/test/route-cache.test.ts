import { describe, expect, it } from 'vitest';
import { RouteCache } from '../src/route-cache';

const clockAt = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

/** A loader that counts its calls and resolves when told to. */
function loader(value: string) {
  let calls = 0;
  return {
    calls: () => calls,
    load: async () => {
      calls += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return { value };
    },
  };
}

describe('RouteCache', () => {
  it('shares one load among concurrent lookups of a key', async () => {
    const cache = new RouteCache<{ value: string }>(1_000, clockAt());
    const a = loader('a');
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', a.load)));
    expect(new Set(results).size).toBe(1);
    expect(a.calls()).toBe(1);
  });

  it('loads again once the entry is older than its ttl', async () => {
    const clock = clockAt();
    const cache = new RouteCache<{ value: string }>(1_000, clock);
    const a = loader('a');
    await cache.get('k', a.load);
    clock.advance(999);
    await cache.get('k', a.load);
    expect(a.calls()).toBe(1);
    clock.advance(2);
    await cache.get('k', a.load);
    expect(a.calls()).toBe(2);
  });

  it('evicts only the least recently used entry when full, keeping the others', async () => {
    const cache = new RouteCache<{ value: string }>(60_000, clockAt(), 3);
    const loads = ['a', 'b', 'c', 'd'].map(loader);
    for (const [i, key] of ['a', 'b', 'c'].entries()) await cache.get(key, loads[i]!.load);
    await cache.get('a', loads[0]!.load);
    await cache.get('d', loads[3]!.load);
    for (const [i, key] of ['a', 'c', 'd'].entries()) await cache.get(key, [loads[0], loads[2], loads[3]][i]!.load);
    expect(loads.map((l) => l.calls())).toEqual([1, 1, 1, 1]);
    await cache.get('b', loads[1]!.load);
    expect(loads[1]!.calls()).toBe(2);
  });

  it('does not keep a failed load, and clear() forgets everything', async () => {
    const cache = new RouteCache<{ value: string }>(60_000, clockAt());
    await expect(cache.get('k', async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    const a = loader('a');
    await cache.get('k', a.load);
    cache.clear();
    await cache.get('k', a.load);
    expect(a.calls()).toBe(2);
  });

  it('with a ttl of 0 loads on every lookup', async () => {
    const cache = new RouteCache<{ value: string }>(0, clockAt());
    const a = loader('a');
    await Promise.all([cache.get('k', a.load), cache.get('k', a.load)]);
    expect(a.calls()).toBe(2);
  });
});
