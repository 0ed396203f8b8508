import { ConnectorError, isIntegrationError, type PollInput, type PollResult } from '@integration/contracts';
import type { FeedSource } from './feed-source';
import type { AlertConfig, AlertSignal } from './schemas';

/**
 * Polls the feed after the checkpoint cursor (the last examined seq) and emits one signal per tick
 * whose mid price is on the alert side of the threshold. Dedupe key: `<venue>:<symbol>:<seq>`.
 */
export function alertPoll(feed: FeedSource) {
  return async ({ config, cursor }: PollInput<AlertConfig>, ctx: { signal: AbortSignal }): Promise<PollResult<AlertSignal>> => {
    if (cursor !== null && !/^\d+$/.test(cursor)) {
      throw new ConnectorError({ class: 'invalid_request', message: 'alert checkpoint cursor is not a sequence number', providerCode: 'market_data.bad_cursor' });
    }
    const afterSeq = cursor === null ? 0 : Number(cursor);
    let ticks;
    try {
      ticks = await feed.ticks({ symbol: config.symbol, venue: config.venue, afterSeq, limit: config.batchSize, signal: ctx.signal });
    } catch (error) {
      if (isIntegrationError(error)) throw error;
      throw new ConnectorError({ class: 'unavailable', message: `market feed ${feed.name} failed`, providerCode: 'market_data.feed_failed', cause: error });
    }
    const signals: AlertSignal[] = [];
    for (const tick of ticks) {
      const price = Math.round(((tick.bid + tick.ask) / 2) * 100) / 100;
      const crossed = config.direction === 'above' ? price >= config.threshold : price <= config.threshold;
      if (crossed) signals.push({ symbol: tick.symbol, venue: tick.venue, price, threshold: config.threshold, direction: config.direction, seq: tick.seq, ts: tick.ts });
    }
    const last = ticks.at(-1);
    return {
      signals,
      dedupeKeys: signals.map((s) => `${s.venue}:${s.symbol}:${s.seq}`),
      checkpoint: { cursor: String(last?.seq ?? afterSeq), lastEventTime: last?.ts ?? null, lastEventId: last ? String(last.seq) : null },
    };
  };
}
