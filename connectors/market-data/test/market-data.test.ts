import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, attemptIdFor, isoAt, newId, silentLogger, type RuntimeContext, type Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createStreamRuntime, type StreamRuntime } from '@integration/stream-runtime';
import { createPlatform, generateSealingKey, type Platform } from '@integration/platform';
import { alertPoll, marketData, MARKET_TICKS_PULL, simulatedFeed, TicksPullOutputSchema, type FeedSource, type Tick } from '../src';

const TOKEN = 'mkt-canary-token-77aa88bb99';
const pullCapability = (feed?: FeedSource) => marketData(feed ? { feed } : {}).capabilities.find((c) => c.id === MARKET_TICKS_PULL)!;

function context(connectionId = 'conn_mkt'): RuntimeContext {
  const clock = new ManualClock();
  const runId = newId('run');
  return {
    runId,
    attempt: 1,
    attemptId: attemptIdFor(runId, 1),
    lease: { leaseId: newId('lease'), credentialRefId: 'cred_m', connectionId, subject: 'quant', scopes: ['market:read'], payload: { access_token: TOKEN }, issuedAt: isoAt(clock.now()), expiresAt: isoAt(clock.now() + 300_000) },
    credentialRef: { id: 'cred_m', subject: 'quant', scopes: ['market:read'], authType: 'api_token', connectionId, installId: null, connectorId: 'market_data', tenantId: 't1' },
    connectionId,
    tenantId: 't1',
    actorId: 'a1',
    traceId: null,
    idempotencyKey: null,
    executionPolicy: { runtimeClass: 'stream', sandbox: { level: 'standard', egress: 'blocked', approvals: 'auto', fileScope: null, allowedTools: ['market.feed.pull'] } },
    target: null,
    signal: new AbortController().signal,
    timeoutMs: 30_000,
    logger: silentLogger,
    clock,
    extensions: {},
  };
}
const seqs = (r: { status: string; output?: unknown }) => (r.status === 'completed' ? (r.output as { items: Tick[] }).items.map((t) => t.seq) : []);
const signal = new AbortController().signal;

describe('market_data connector definition', () => {
  it('declares a stream pull and a poll trigger', () => {
    const def = marketData();
    expect(def.id).toBe('market_data');
    expect(def.runtimeFamilies).toEqual(['direct', 'stream']);
    const pull = pullCapability();
    expect(pull).toMatchObject({ runtimeClass: 'stream', requiredScopes: ['market:read'], runtime: { driver: 'in-process', provider: 'market_feed' } });
    expect(pull.runtime!.options).toMatchObject({ streamKeyFields: ['symbol', 'venue'], completedEvent: 'batch.pulled' });
    const alert = def.capabilities.find((c) => c.id === 'market.alert.detected')!;
    expect(alert).toMatchObject({ kind: 'trigger', runtimeClass: 'direct', transportProfile: 'poll' });
    expect(def.triggers[0]!.polling).toEqual({ defaultIntervalMs: 60_000, minIntervalMs: 5_000 });
    expect(pull.inputSchema.parse({ symbol: 'BTC-USD' })).toEqual({ symbol: 'BTC-USD', limit: 10, venue: 'sim' });
    expect(pull.inputSchema.safeParse({ symbol: 'btc usd' }).success).toBe(false);
    expect(pull.inputSchema.safeParse({ symbol: 'BTC-USD', limit: 0 }).success).toBe(false);
  });
});

describe('simulated feed', () => {
  it('is deterministic per seed and readable in any order', async () => {
    const a = simulatedFeed({ seed: 7 });
    const b = simulatedFeed({ seed: 7 });
    const c = simulatedFeed({ seed: 8 });
    const whole = await a.ticks({ symbol: 'ETH-USD', venue: 'sim', afterSeq: 0, limit: 10, signal });
    expect(await b.ticks({ symbol: 'ETH-USD', venue: 'sim', afterSeq: 0, limit: 10, signal })).toEqual(whole);
    expect(await a.ticks({ symbol: 'ETH-USD', venue: 'sim', afterSeq: 4, limit: 6, signal })).toEqual(whole.slice(4));
    expect(await c.ticks({ symbol: 'ETH-USD', venue: 'sim', afterSeq: 0, limit: 10, signal })).not.toEqual(whole);
  });

  it('property: consecutive seqs after the cursor, bid < ask, positive prices, ordered timestamps', async () => {
    const feed = simulatedFeed();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 50 }), fc.constantFrom('BTC-USD', 'AAPL', 'EUR/USD'), async (after, limit, symbol) => {
        const ticks = await feed.ticks({ symbol, venue: 'sim', afterSeq: after, limit, signal });
        expect(ticks.map((t) => t.seq)).toEqual(Array.from({ length: limit }, (_, i) => after + i + 1));
        for (const [i, t] of ticks.entries()) {
          expect(t.bid).toBeGreaterThan(0);
          expect(t.bid).toBeLessThan(t.ask);
          if (i > 0) expect(Date.parse(t.ts)).toBeGreaterThan(Date.parse(ticks[i - 1]!.ts));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('with a clock only past ticks exist', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:04.500Z'));
    const feed = simulatedFeed({ clock });
    expect((await feed.ticks({ symbol: 'AAPL', venue: 'sim', afterSeq: 0, limit: 100, signal })).map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
    clock.advance(2_000);
    expect((await feed.ticks({ symbol: 'AAPL', venue: 'sim', afterSeq: 5, limit: 100, signal })).map((t) => t.seq)).toEqual([6, 7]);
  });
});

describe('market.ticks.pull on the stream runtime', () => {
  let runtimes: StreamRuntime[] = [];
  const make = (stores: Stores) => {
    const r = createStreamRuntime({ stores });
    runtimes.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    runtimes = [];
  });

  it('pulls consecutive batches, resumes after a restart, keeps symbols apart', async () => {
    const stores = memoryStores();
    const capability = pullCapability();
    const first = make(stores);
    const r1 = await first.execute(capability, { symbol: 'BTC-USD', limit: 3, venue: 'sim' }, context());
    const r2 = await first.execute(capability, { symbol: 'BTC-USD', limit: 2, venue: 'sim' }, context());
    const other = await first.execute(capability, { symbol: 'ETH-USD', limit: 2, venue: 'sim' }, context());
    await first.close();
    const second = make(stores);
    const r3 = await second.execute(capability, { symbol: 'BTC-USD', limit: 4, venue: 'sim' }, context());
    expect([...seqs(r1), ...seqs(r2), ...seqs(r3)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seqs(other)).toEqual([1, 2]);
    expect(r1.status === 'completed' && TicksPullOutputSchema.parse(r1.output)).toMatchObject({ symbol: 'BTC-USD', venue: 'sim', cursor: 3 });
    expect(r3.status === 'completed' && (r3.output as { cursor: number }).cursor).toBe(9);
    expect(r1.events.map((e) => e.type)).toEqual(marketData().conformance!.fixtures[0]!.expect!.eventTypes);
    expect(JSON.stringify([r1, r2, r3])).not.toContain(TOKEN);
  });

  it('an empty batch keeps the cursor', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:01.000Z'));
    const runtime = make(memoryStores());
    const capability = pullCapability(simulatedFeed({ clock }));
    expect(seqs(await runtime.execute(capability, { symbol: 'AAPL', limit: 10, venue: 'sim' }, context()))).toEqual([1, 2]);
    const empty = await runtime.execute(capability, { symbol: 'AAPL', limit: 10, venue: 'sim' }, context());
    expect(empty.status === 'completed' && empty.output).toMatchObject({ cursor: 2, items: [] });
    clock.advance(1_000);
    expect(seqs(await runtime.execute(capability, { symbol: 'AAPL', limit: 10, venue: 'sim' }, context()))).toEqual([3]);
  });

  it('a feed that breaks its contract or fails is a typed connector error and the cursor stays', async () => {
    let mode: 'bad' | 'throw' | 'ok' = 'bad';
    const real = simulatedFeed();
    const feed: FeedSource = {
      name: 'flaky',
      async ticks(req) {
        if (mode === 'throw') throw new Error('socket hang up');
        const ticks = await real.ticks(req);
        return mode === 'bad' ? ticks.reverse() : ticks;
      },
    };
    const runtime = make(memoryStores());
    const capability = pullCapability(feed);
    const bad = await runtime.execute(capability, { symbol: 'AAPL', limit: 3, venue: 'sim' }, context());
    expect(bad.status === 'failed' && bad.error.code).toBe('connector_internal');
    mode = 'throw';
    const down = await runtime.execute(capability, { symbol: 'AAPL', limit: 3, venue: 'sim' }, context());
    expect(down.status === 'failed' && down.error).toMatchObject({ code: 'connector_unavailable', retryable: true });
    mode = 'ok';
    expect(seqs(await runtime.execute(capability, { symbol: 'AAPL', limit: 3, venue: 'sim' }, context()))).toEqual([1, 2, 3]);
  });
});

describe('market.alert.detected poll', () => {
  const fixed: FeedSource = {
    name: 'fixed',
    async ticks({ afterSeq, limit }) {
      const mids = [99, 101, 102, 98, 103];
      return mids
        .map((mid, i) => ({ seq: i + 1, symbol: 'AAPL', venue: 'sim', bid: mid - 0.5, ask: mid + 0.5, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }))
        .filter((t) => t.seq > afterSeq)
        .slice(0, limit);
    },
  };

  it('signals crossings after the cursor with dedupe keys and advances the checkpoint', async () => {
    const poll = alertPoll(fixed);
    const config = { symbol: 'AAPL', venue: 'sim', threshold: 100, direction: 'above' as const, batchSize: 3 };
    const first = await poll({ config, cursor: null }, { signal });
    expect(first.signals.map((s) => [s.seq, s.price])).toEqual([
      [2, 101],
      [3, 102],
    ]);
    expect(first.dedupeKeys).toEqual(['sim:AAPL:2', 'sim:AAPL:3']);
    expect(first.checkpoint.cursor).toBe('3');
    const second = await poll({ config, cursor: first.checkpoint.cursor }, { signal });
    expect(second.signals.map((s) => s.seq)).toEqual([5]);
    expect(second.checkpoint.cursor).toBe('5');
    const idle = await poll({ config, cursor: '5' }, { signal });
    expect(idle).toMatchObject({ signals: [], dedupeKeys: [], checkpoint: { cursor: '5' } });
    const below = await poll({ config: { ...config, direction: 'below', batchSize: 10 }, cursor: null }, { signal });
    expect(below.signals.map((s) => s.seq)).toEqual([1, 4]);
    await expect(poll({ config, cursor: 'abc' }, { signal })).rejects.toMatchObject({ code: 'connector_invalid_request' });
  });

  it('the trigger definition exposes the poll over the default simulated feed', async () => {
    const trigger = marketData().triggers[0]!;
    const result = await trigger.poll!({ config: trigger.config.parse({ symbol: 'BTC-USD', threshold: 1, direction: 'above' }), cursor: null }, { signal } as never);
    expect(result.signals).toHaveLength(100);
    expect(result.signals.every((s) => trigger.signal.safeParse(s).success)).toBe(true);
  });
});

describe('market.ticks.pull through platform.invoke', () => {
  let platform: Platform | undefined;
  afterEach(async () => platform?.close());

  it('a restarted platform over the same stores continues the stream', async () => {
    const stores = memoryStores();
    const secrets = { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' };
    // The platform's default stream runtime keeps cursors in the platform's stores.
    platform = await createPlatform({ connectors: [marketData()], stores, secrets });
    const started = await platform.startInstall('market_data', 'tenant-a', { subject: 'quant', requestedScopes: ['market:read'] });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'quant',
      secret: { access_token: TOKEN },
      grantedScopes: ['market:read'],
    });
    const opts = { connectionId: connection.connectionId, actorId: 'quant', tenantId: 'tenant-a', environment: 'prod' };
    const a = await platform.invoke(MARKET_TICKS_PULL, { symbol: 'BTC-USD', limit: 2 }, opts);
    const b = await platform.invoke(MARKET_TICKS_PULL, { symbol: 'BTC-USD', limit: 2 }, opts);
    expect(b.attempt.runtimeRefId).toBe(a.attempt.runtimeRefId);
    expect((await platform.events(a.run.runId)).map((e) => e.type)).toEqual([
      'run.started',
      'attempt.started',
      'stream.started',
      'stream.cursor.resumed',
      'market_data.feed.read',
      'stream.checkpointed',
      'connector.market_data.batch.pulled',
      'attempt.completed',
      'artifact.recorded',
      'run.completed',
    ]);
    // Restart: new platform, new stream runtime, same stores (the connection survives too).
    platform = await createPlatform({ connectors: [marketData()], stores, secrets });
    const c = await platform.invoke(MARKET_TICKS_PULL, { symbol: 'BTC-USD', limit: 3 }, opts);
    expect([a, b, c].flatMap((r) => (r.output as { items: Tick[] }).items.map((t) => t.seq))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(c.attempt.runtimeRefId).not.toBe(a.attempt.runtimeRefId);
    const durable: unknown[] = [];
    for (const run of await stores.ledger.listRuns()) durable.push(run, await platform.attempts(run.runId), await platform.events(run.runId), await platform.runArtifacts(run.runId));
    expect(JSON.stringify(durable)).not.toContain(TOKEN);
  });
});
