import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError, isoAt, type Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { errorChainTexts } from '@integration/contracts/testing';
import { createStreamRuntime, type StreamRuntime, type StreamSource } from '../src';
import { CANARY, contextFor, fixture, streamCapability, types } from './helpers';

/** A deterministic source: items are the sequence numbers after the cursor. */
const counter: StreamSource<{ topic: string; limit: number }> = {
  async pull({ input, cursor, emit }) {
    const after = cursor === null ? 0 : Number(cursor);
    const items = Array.from({ length: input.limit }, (_, i) => ({ seq: after + i + 1, topic: input.topic }));
    emit({ type: 'feed.batch.read', payload: { count: items.length } });
    return { output: { topic: input.topic, items, cursor: after + input.limit }, cursor: String(after + input.limit) };
  },
};

const inProcess = () => streamCapability({ driver: 'in-process', provider: 'counter', options: { streamKeyFields: ['topic'] } });
const seqs = (r: Awaited<ReturnType<StreamRuntime['execute']>>) => (r.status === 'completed' ? (r.output as { items: { seq: number }[] }).items.map((i) => i.seq) : []);

let runtimes: StreamRuntime[] = [];
const make = (stores: Stores, sources: Record<string, StreamSource> = { counter: counter as StreamSource }) => {
  const runtime = createStreamRuntime({ stores, sources });
  runtimes.push(runtime);
  return runtime;
};
afterEach(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  runtimes = [];
});

describe('stream runtime', () => {
  it('each invoke pulls the next batch after the cursor; the full event list', async () => {
    const stores = memoryStores();
    const runtime = make(stores);
    const first = await runtime.execute(inProcess(), { topic: 'a', limit: 3 }, contextFor());
    const second = await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor());
    expect(seqs(first)).toEqual([1, 2, 3]);
    expect(seqs(second)).toEqual([4, 5]);
    expect(second.runtimeRefId).toBe(first.runtimeRefId);
    expect(types(first.events)).toEqual([
      'attempt.started',
      'stream.started',
      'stream.cursor.resumed',
      'feed.batch.read',
      'stream.checkpointed',
      'connector.feed.pull.completed',
      'attempt.completed',
    ]);
    expect(types(second.events)[1]).toBe('stream.reused');
    expect(first.status === 'completed' && (first.output as { authBinding: string }).authBinding).toMatch(/^sha256:/);
    expect(JSON.stringify(first)).not.toContain(CANARY);
    const checkpoint = await stores.ingress.fetchCheckpoint({ tenantId: 'tenant_a', connectorId: 'feed', triggerId: 'feed.items.pull', partitionKey: 'conn_feed/counter/{"topic":"a"}' });
    expect(checkpoint).toMatchObject({ cursor: '5', revision: 2 });
  });

  it('resumes after a restart (new runtime, same stores) without repeating or skipping items', async () => {
    const stores = memoryStores();
    const before = make(stores);
    const pulled: number[] = [];
    for (let i = 0; i < 3; i += 1) pulled.push(...seqs(await before.execute(inProcess(), { topic: 'a', limit: 4 }, contextFor())));
    await before.close();
    const after = make(stores);
    const resumed = await after.execute(inProcess(), { topic: 'a', limit: 4 }, contextFor());
    pulled.push(...seqs(resumed));
    expect(pulled).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(resumed.events.find((e) => e.type === 'stream.cursor.resumed')?.payload).toMatchObject({ cursor: '12', from: 'checkpoint' });
    expect(types(resumed.events)[1]).toBe('stream.started');
  });

  it('streams are keyed: another topic or connection has its own cursor', async () => {
    const runtime = make(memoryStores());
    await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor());
    expect(seqs(await runtime.execute(inProcess(), { topic: 'b', limit: 2 }, contextFor()))).toEqual([1, 2]);
    expect(seqs(await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor({ connectionId: 'conn_other' })))).toEqual([1, 2]);
    expect(seqs(await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor()))).toEqual([3, 4]);
  });

  it('re-reads the batch of a pull whose attempt failed afterwards (no skipped items)', async () => {
    const stores = memoryStores();
    const runtime = make(stores);
    await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor());
    const context = contextFor();
    const lost = await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, context);
    expect(seqs(lost)).toEqual([3, 4]);
    // The control plane rejected that output: the attempt is recorded as failed.
    const now = isoAt(Date.now());
    await stores.ledger.putAttempt({
      attemptId: context.attemptId, runId: context.runId, attempt: 1, status: 'failed', runtimeClass: 'stream', aggregatorId: 'control_plane', aggregatorEpoch: 1,
      credentialLeaseId: null, targetId: null, runtimeRefId: lost.runtimeRefId, output: null, error: { code: 'invalid_output', message: 'x', retryable: false, details: {} }, createdAt: now, updatedAt: now,
    });
    const retry = await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor({ runId: context.runId, attempt: 2 }));
    expect(seqs(retry)).toEqual([3, 4]);
    expect(retry.events.find((e) => e.type === 'stream.cursor.resumed')?.payload).toMatchObject({ from: 'rollback', cursor: '2' });
    expect(seqs(await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor()))).toEqual([5, 6]);
  });

  it('a failed pull does not move the cursor', async () => {
    let fail = true;
    const flaky: StreamSource<{ topic: string; limit: number }> = {
      async pull(req) {
        if (req.cursor === '2' && fail) {
          fail = false;
          throw new Error('feed unavailable');
        }
        return counter.pull(req);
      },
    };
    const runtime = make(memoryStores(), { counter: flaky as StreamSource });
    await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor());
    const failed = await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor());
    expect(failed.status === 'failed' && failed.error.code).toBe('runtime_failed');
    expect(types(failed.events).at(-1)).toBe('attempt.failed');
    expect(types(failed.events)).not.toContain('stream.checkpointed');
    expect(seqs(await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor()))).toEqual([3, 4]);
  });

  it('a pull that fails with the lease token in its cause chain returns an error scrubbed all the way down', async () => {
    const leaky: StreamSource<{ topic: string; limit: number }> = {
      async pull({ request }) {
        const token = request.lease.payload.access_token!;
        const root = new AggregateError([new Error(`401 for ${token}`)], `gave up on ${token}`);
        throw new ConnectorError({ class: 'auth_failed', message: 'feed refused the key', upstream: { echoed: token }, cause: root });
      },
    };
    const runtime = make(memoryStores(), { counter: leaky as StreamSource });
    const failed = await runtime.execute(inProcess(), { topic: 'a', limit: 2 }, contextFor());
    if (failed.status !== 'failed') throw new Error('expected failure');
    expect(failed.error.code).toBe('connector_auth_failed');
    const texts = errorChainTexts(failed.error);
    expect(texts).toContain('gave up on [REDACTED]');
    expect(texts).toContain('401 for [REDACTED]');
    expect(JSON.stringify({ texts, events: failed.events })).not.toContain(CANARY);
  });

  it('a source carried by the capability (runtime.options.source) is used when none is registered', async () => {
    const runtime = make(memoryStores(), {});
    const capability = streamCapability({ driver: 'in-process', provider: 'carried', options: { source: counter } });
    expect(seqs(await runtime.execute(capability, { topic: 'z', limit: 1 }, contextFor()))).toEqual([1]);
  });

  it('the subprocess driver pulls through a JSONL CLI with the cursor', async () => {
    const stores = memoryStores();
    const capability = streamCapability({ driver: 'subprocess', provider: 'jsonl', options: { command: process.execPath, args: [fixture('jsonl-feed.mjs')], streamKeyFields: ['topic'] } });
    const first = make(stores);
    expect(seqs(await first.execute(capability, { topic: 't', limit: 2 }, contextFor()))).toEqual([1, 2]);
    await first.close();
    const second = make(stores);
    const result = await second.execute(capability, { topic: 't', limit: 3 }, contextFor());
    expect(seqs(result)).toEqual([3, 4, 5]);
    expect(types(result.events)).toEqual([
      'attempt.started',
      'stream.started',
      'stream.cursor.resumed',
      'subprocess.spawned',
      'feed.batch',
      'stream.checkpointed',
      'connector.feed.pull.completed',
      'attempt.completed',
    ]);
  });

  it('missing and unknown drivers fail with typed errors and start no stream', async () => {
    const runtime = make(memoryStores());
    const missing = await runtime.execute(streamCapability(null), { topic: 'a', limit: 1 }, contextFor());
    const unknown = await runtime.execute(streamCapability({ driver: 'asm' }), { topic: 'a', limit: 1 }, contextFor());
    expect(missing.status === 'failed' && missing.error.code).toBe('missing_runtime_driver');
    expect(unknown.status === 'failed' && unknown.error.code).toBe('unknown_runtime_driver');
    expect(types(missing.events)).toEqual(['attempt.started', 'attempt.failed']);
    expect(runtime.sessions()).toEqual([]);
  });
});
