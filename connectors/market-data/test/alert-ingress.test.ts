import { describe, expect, it } from 'vitest';
import { memoryStores } from '@integration/store-memory';
import { createIngress, definitionFromTrigger } from '@integration/ingress';
import { marketData, MARKET_ALERT_DETECTED, simulatedFeed, type AlertSignal } from '../src';

/** A poll tick as a host runs it: read the checkpoint, poll, admit each signal through ingress. */
async function pollOnce(ingress: ReturnType<typeof createIngress>, stores: ReturnType<typeof memoryStores>, connector: ReturnType<typeof marketData>, config: unknown) {
  const trigger = connector.triggers.find((t) => t.id === MARKET_ALERT_DETECTED)!;
  const definition = definitionFromTrigger(connector.id, trigger);
  const key = { tenantId: 'tenant-a', connectorId: connector.id, triggerId: trigger.id, partitionKey: 'BTC-USD@sim' };
  const checkpoint = await stores.ingress.fetchCheckpoint(key);
  const result = (await trigger.poll!({ config: trigger.config.parse(config), cursor: checkpoint?.cursor ?? null }, { signal: new AbortController().signal } as never)) as { signals: AlertSignal[]; dedupeKeys: string[]; checkpoint: { cursor: string; lastEventTime?: string | null } };
  const admissions = [];
  for (const [i, event] of result.signals.entries()) {
    admissions.push(
      await ingress.admitPoll(
        { tenantId: 'tenant-a', partitionKey: key.partitionKey, cursor: result.checkpoint.cursor, event, externalId: result.dedupeKeys[i]!, lastEventTime: result.checkpoint.lastEventTime ?? null },
        definition,
      ),
    );
  }
  if (result.signals.length === 0) {
    await stores.ingress.putCheckpoint({ ...key, cursor: result.checkpoint.cursor, lastEventId: null, lastEventTime: null, revision: 1, metadata: {}, updatedAt: new Date().toISOString() });
  }
  return { result, admissions };
}

describe('market.alert.detected through the real ingress', () => {
  it('admits one run per crossing, never twice, and the checkpoint moves on', async () => {
    const stores = memoryStores();
    const connector = marketData({ feed: simulatedFeed({ seed: 3, basePrices: { 'BTC-USD': 100 } }) });
    const ingress = createIngress({ stores, capabilities: { fetchCapability: (id) => connector.capabilities.find((c) => c.id === id)! } });
    const config = { symbol: 'BTC-USD', threshold: 101, direction: 'above', batchSize: 50 };

    const first = await pollOnce(ingress, stores, connector, config);
    expect(first.result.signals.length).toBeGreaterThan(0);
    expect(first.admissions.every((a) => a.status === 'accepted' && a.run.status === 'accepted')).toBe(true);
    expect(first.admissions[0]!.trigger.signal).toMatchObject({ type: 'market.alert.detected', source: '/ingress/poll/market_data/market.alert.detected' });
    expect(first.admissions[0]!.run.input).toEqual(first.result.signals[0]);

    // Re-admitting the same ticks (e.g. a crashed poller retrying) is deduplicated.
    const definition = definitionFromTrigger(connector.id, connector.triggers[0]!);
    const replay = await ingress.admitPoll(
      { tenantId: 'tenant-a', partitionKey: 'BTC-USD@sim', cursor: first.result.checkpoint.cursor, event: first.result.signals[0], externalId: first.result.dedupeKeys[0]! },
      definition,
    );
    expect(replay.status).toBe('duplicate');
    expect(replay.run.runId).toBe(first.admissions[0]!.run.runId);

    const second = await pollOnce(ingress, stores, connector, config);
    const firstSeqs = new Set(first.result.signals.map((s) => s.seq));
    expect(second.result.signals.every((s) => !firstSeqs.has(s.seq) && s.seq > Number(first.result.checkpoint.cursor))).toBe(true);
    expect(Number(second.result.checkpoint.cursor)).toBe(100);
    const runs = await stores.ledger.listRuns({ capabilityId: MARKET_ALERT_DETECTED });
    expect(runs).toHaveLength(first.result.signals.length + second.result.signals.length);
  });
});
