import { defineConnector, defineOperation, defineTrigger, type ConnectorDefinition } from '@integration/contracts';
import type { FeedSource } from './feed-source';
import { simulatedFeed } from './simulated-feed';
import { alertPoll } from './alert-trigger';
import { ticksStreamSource } from './ticks-stream';
import { AlertConfigSchema, AlertSignalSchema, TicksPullInputSchema, TicksPullOutputSchema } from './schemas';

export interface MarketDataOptions {
  /** Where ticks come from. Default: `simulatedFeed()` (deterministic, seeded). */
  feed?: FeedSource;
  timeoutMs?: number;
}

export const MARKET_TICKS_PULL = 'market.ticks.pull';
export const MARKET_ALERT_DETECTED = 'market.alert.detected';

/**
 * Market data: `market.ticks.pull` runs on the `stream` runtime (in-process driver): each invoke
 * returns the next batch after the stream's durable cursor, one stream per (connection, symbol,
 * venue). `market.alert.detected` is a poll trigger over the same feed.
 */
export function marketData(options: MarketDataOptions = {}): ConnectorDefinition {
  const feed = options.feed ?? simulatedFeed();

  const pull = defineOperation({
    id: MARKET_TICKS_PULL,
    name: 'market_ticks_pull',
    displayName: 'Pull market ticks',
    description: 'Returns the next batch of ticks after the stream cursor for a symbol on a venue.',
    runtimeClass: 'stream',
    transport: 'market_feed',
    input: TicksPullInputSchema,
    output: TicksPullOutputSchema,
    scopes: ['market:read'],
    runtime: {
      driver: 'in-process',
      provider: 'market_feed',
      // The source travels with the capability; a host can override it by registering a
      // `market_feed` source on its stream runtime.
      options: { source: ticksStreamSource(feed), streamKeyFields: ['symbol', 'venue'], completedEvent: 'batch.pulled', feed: feed.name },
    },
    runtimeFamily: { sessionAffinity: 'connection', resumable: true, approvalRequired: false, streamCapable: true, runtimeRef: 'session' },
    policy: {
      environment: { allowed: ['prod'] },
      sandbox: { level: 'standard', egress: 'blocked', approvals: 'auto', allowedTools: ['market.feed.pull'] },
    },
    consumerSurface: { mode: 'common', normalizedId: 'market.ticks.pull', actionName: 'market_ticks_pull' },
    timeoutMs: options.timeoutMs ?? 30_000,
  });

  const alert = defineTrigger({
    id: MARKET_ALERT_DETECTED,
    name: 'market_alert_detected',
    displayName: 'Market alert detected',
    description: 'Polls the feed and signals ticks whose mid price crosses a threshold.',
    deliveryMode: 'poll',
    config: AlertConfigSchema,
    signal: AlertSignalSchema,
    signalType: 'market.alert.detected',
    signalSource: '/ingress/poll/market_data/market.alert.detected',
    scopes: ['market:read'],
    polling: { defaultIntervalMs: 60_000, minIntervalMs: 5_000 },
    poll: alertPoll(feed),
    // Executing an admitted alert acknowledges it: one review event and the alert as evidence.
    handler: async (signal, ctx) => {
      ctx.emit({ type: 'connector.market_data.alert.acknowledged', stream: 'control', payload: { symbol: signal.symbol, venue: signal.venue, seq: signal.seq } });
      await ctx.artifact({ type: 'tool_output', slug: `alert_${signal.venue}_${signal.symbol.replace(/[^A-Z0-9]/g, '_')}_${signal.seq}.json`, content: signal });
      return { acknowledged: true, alert: signal };
    },
    checkpoint: { strategy: 'cursor', field: 'seq', partitionKey: 'symbol' },
    dedupe: { strategy: 'external_id', description: '<venue>:<symbol>:<seq>' },
    consumerSurface: { mode: 'common', normalizedId: 'market.alerts.detected', sensorName: 'market_alerts_detected' },
  });

  return defineConnector({
    id: 'market_data',
    auth: { type: 'api_token', bindingKind: 'connection_id', requestedScopes: ['market:read'], leaseFields: ['access_token'] },
    catalog: {
      displayName: 'Market data',
      description: 'Tick streams with durable cursors and threshold alerts over a pluggable feed.',
      category: 'finance',
      tags: ['market', 'stream', 'alerts'],
      maturity: 'beta',
      publication: 'public',
    },
    operations: [pull],
    triggers: [alert],
    conformance: {
      fixtures: [
        {
          name: 'first batch of the simulated feed',
          capabilityId: MARKET_TICKS_PULL,
          input: { symbol: 'BTC-USD', limit: 3, venue: 'sim' },
          lease: { subject: 'quant', scopes: ['market:read'], payload: { access_token: 'market-fixture-token-000' } },
          expect: {
            eventTypes: [
              'attempt.started',
              'stream.started',
              'stream.cursor.resumed',
              'market_data.feed.read',
              'stream.checkpointed',
              'connector.market_data.batch.pulled',
              'attempt.completed',
            ],
            artifactTypes: ['event_log'],
          },
        },
        {
          name: 'an admitted alert is acknowledged',
          capabilityId: MARKET_ALERT_DETECTED,
          input: { symbol: 'BTC-USD', venue: 'sim', price: 101.5, threshold: 100, direction: 'above', seq: 7, ts: '2026-01-01T00:00:06.000Z' },
          lease: { subject: 'quant', scopes: ['market:read'], payload: { access_token: 'market-fixture-token-000' } },
          expect: {
            output: { acknowledged: true, alert: { symbol: 'BTC-USD', venue: 'sim', price: 101.5, threshold: 100, direction: 'above', seq: 7, ts: '2026-01-01T00:00:06.000Z' } },
            eventTypes: ['attempt.started', 'connector.market_data.alert.acknowledged', 'attempt.completed'],
            artifactTypes: ['tool_output'],
          },
        },
      ],
    },
    metadata: { feed: feed.name },
  });
}
