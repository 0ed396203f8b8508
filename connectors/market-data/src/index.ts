export { marketData, MARKET_TICKS_PULL, MARKET_ALERT_DETECTED, type MarketDataOptions } from './market-data';
export { TickSchema, SymbolSchema, VenueSchema, type FeedSource, type Tick, type TickRequest } from './feed-source';
export { simulatedFeed, type SimulatedFeedOptions } from './simulated-feed';
export { ticksStreamSource, type TicksStreamSource } from './ticks-stream';
export { alertPoll } from './alert-trigger';
export { hashString, mulberry32 } from './prng';
export * from './schemas';
