import { z } from 'zod';
import { ConnectorError, isIntegrationError } from '@integration/contracts';
import { TickSchema, type FeedSource } from './feed-source';
import { TicksPullInputSchema } from './schemas';

/** The structural shape of a stream-runtime source (the connector imports no runtime package). */
export interface TicksStreamSource {
  pull(request: {
    input: unknown;
    cursor: string | null;
    signal: AbortSignal;
    emit(event: { type: string; stream?: 'control'; payload?: Record<string, unknown> }): void;
  }): Promise<{ output: Record<string, unknown>; cursor: string }>;
}

/** Reads the batch after the cursor from the feed; the cursor is the last delivered seq. */
export function ticksStreamSource(feed: FeedSource): TicksStreamSource {
  return {
    async pull({ input, cursor, signal, emit }) {
      const { symbol, venue, limit } = TicksPullInputSchema.parse(input);
      if (cursor !== null && !/^\d+$/.test(cursor)) {
        throw new ConnectorError({ class: 'internal', message: 'stored market-data cursor is not a sequence number', providerCode: 'market_data.bad_cursor' });
      }
      const afterSeq = cursor === null ? 0 : Number(cursor);
      let raw: unknown;
      try {
        raw = await feed.ticks({ symbol, venue, afterSeq, limit, signal });
      } catch (error) {
        if (isIntegrationError(error)) throw error;
        throw new ConnectorError({ class: 'unavailable', message: `market feed ${feed.name} failed`, providerCode: 'market_data.feed_failed', cause: error });
      }
      const parsed = z.array(TickSchema).max(limit).safeParse(raw);
      const ticks = parsed.success ? parsed.data : null;
      const ordered = ticks?.every((t, i) => t.symbol === symbol && t.venue === venue && t.seq > (i === 0 ? afterSeq : ticks[i - 1]!.seq));
      if (!ticks || !ordered) {
        throw new ConnectorError({ class: 'internal', message: `market feed ${feed.name} returned ticks out of contract`, providerCode: 'market_data.invalid_ticks' });
      }
      const last = ticks.at(-1)?.seq ?? afterSeq;
      emit({ type: 'market_data.feed.read', stream: 'control', payload: { feed: feed.name, symbol, venue, afterSeq, count: ticks.length } });
      return { output: { symbol, venue, cursor: last, items: ticks }, cursor: String(last) };
    },
  };
}
