import type { Clock } from '@integration/contracts';
import type { FeedSource, Tick } from './feed-source';
import { hashString, mulberry32 } from './prng';

export interface SimulatedFeedOptions {
  /** Same seed → same ticks, in every process. Default 42. */
  seed?: number;
  /** Timestamp of tick 1. Default 2026-01-01T00:00:00Z. */
  startTime?: string;
  tickIntervalMs?: number;
  /** Mid price around which a symbol moves (default derived from the symbol name). */
  basePrices?: Record<string, number>;
  /** With a clock, only ticks whose time has come exist (a live-looking feed); without, the feed is unbounded. */
  clock?: Clock;
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * A deterministic simulated feed: tick `n` of (symbol, venue) is a pure function of
 * (seed, symbol, venue, n), so any range can be read in any order and restarts see the same data.
 */
export function simulatedFeed(options: SimulatedFeedOptions = {}): FeedSource {
  const seed = options.seed ?? 42;
  const start = Date.parse(options.startTime ?? '2026-01-01T00:00:00.000Z');
  const interval = options.tickIntervalMs ?? 1_000;
  if (!Number.isFinite(start)) throw new RangeError('startTime must be an ISO timestamp');
  if (!(interval > 0)) throw new RangeError('tickIntervalMs must be positive');

  const tickAt = (symbol: string, venue: string, n: number): Tick => {
    const base = options.basePrices?.[symbol] ?? 50 + (hashString(symbol) % 950);
    const random = mulberry32(hashString(`${seed}|${symbol}|${venue}|${n}`));
    const phase = (hashString(`${symbol}|${venue}`) % 628) / 100;
    const mid = base * (1 + 0.02 * Math.sin(n / 9 + phase) + 0.006 * (random() - 0.5));
    const halfSpread = Math.max(0.01, base * 0.0002 * (1 + random()));
    return { seq: n, symbol, venue, bid: round(mid - halfSpread), ask: round(mid + halfSpread), ts: new Date(start + (n - 1) * interval).toISOString() };
  };

  return {
    name: `simulated(seed=${seed})`,
    async ticks({ symbol, venue, afterSeq, limit, signal }) {
      signal.throwIfAborted();
      const head = options.clock ? Math.floor((options.clock.now() - start) / interval) + 1 : Number.POSITIVE_INFINITY;
      const ticks: Tick[] = [];
      for (let n = afterSeq + 1; n <= head && ticks.length < limit; n += 1) ticks.push(tickAt(symbol, venue, n));
      return ticks;
    },
  };
}
