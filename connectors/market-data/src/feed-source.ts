import { z } from 'zod';

export const SymbolSchema = z.string().regex(/^[A-Z0-9]{1,12}([-/][A-Z0-9]{1,12})?$/, 'symbol must look like BTC-USD or AAPL');
export const VenueSchema = z.string().regex(/^[a-z0-9_]{1,32}$/, 'venue must be lower-case letters, digits or _');

export const TickSchema = z.strictObject({
  /** Strictly increasing per (symbol, venue), starting at 1. */
  seq: z.number().int().positive(),
  symbol: SymbolSchema,
  venue: VenueSchema,
  bid: z.number().finite().nonnegative(),
  ask: z.number().finite().nonnegative(),
  ts: z.iso.datetime({ offset: true }),
});
export type Tick = z.infer<typeof TickSchema>;

export interface TickRequest {
  symbol: string;
  venue: string;
  /** Return ticks with `seq > afterSeq`, ascending. */
  afterSeq: number;
  limit: number;
  signal: AbortSignal;
}

/**
 * Where ticks come from. Implement this over a real market-data API (REST polling, a websocket
 * buffer, a message bus) and pass it as `marketData({ feed })`. Contract: ticks for one
 * (symbol, venue) have stable, strictly increasing `seq`; `ticks()` returns at most `limit` of
 * them after `afterSeq`, oldest first, and an empty list when nothing new is available. Throw a
 * ConnectorError (class unavailable/rate_limited/…) for provider failures.
 */
export interface FeedSource {
  readonly name: string;
  ticks(request: TickRequest): Promise<Tick[]>;
}
