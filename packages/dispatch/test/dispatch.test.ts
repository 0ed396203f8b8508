import diagnostics from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIntegrationError, ManualClock, type DispatchJob, type Stores } from '@integration/contracts';
import { createIngress, signWebhook } from '@integration/ingress';
import { dispatchIdFor, type DispatchWorker } from '../src/index';
import { availableTiers, type TierHandle } from './support/tiers';
import { harness } from './support/harness';
import { waitFor, WEBHOOK_SECRET } from './support/fixtures';

const tiers = await availableTiers('dispatch');

function record(channel: string) {
  const seen: Record<string, unknown>[] = [];
  const listener = (message: unknown) => void seen.push(message as Record<string, unknown>);
  diagnostics.subscribe(channel, listener);
  return { seen, off: () => diagnostics.unsubscribe(channel, listener) };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isIntegrationError(error) ? error.code : String(error);
  }
  return undefined;
}

describe.each(tiers)('dispatch on $name', (tier) => {
  let handle: TierHandle;
  let stores: Stores;
  let h: ReturnType<typeof harness>;
  const workers: DispatchWorker[] = [];
  const settledJob = (id: string, statuses: DispatchJob['status'][]) =>
    waitFor(() => h.queue.fetchJob(id), (j) => statuses.includes(j.status));

  beforeEach(async () => {
    handle = await tier.create();
    stores = handle.stores;
    h = harness(stores);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop({ graceMs: 2_000 });
    await handle.cleanup();
  });
  const started = (options: Parameters<typeof h.worker>[0] = {}) => {
    const w = h.worker(options);
    workers.push(w);
    w.start();
    return w;
  };

  it('enqueue is idempotent by a dispatch id derived from the admitted run', async () => {
    const { admission, job, status } = await h.admitAndEnqueue({}, { delivery: 'dlv-idem' });
    expect(status).toBe('enqueued');
    expect(job.dispatchId).toBe(dispatchIdFor(admission.run));
    expect(job.dispatchId).toBe(`disp_${admission.run.runId}`);
    expect(job).toMatchObject({ status: 'queued', attempts: 0, maxAttempts: 5, runId: admission.run.runId });
    const again = await h.queue.enqueue(admission);
    expect(again.status).toBe('duplicate');
    const replayedDelivery = await h.admitAndEnqueue({}, { delivery: 'dlv-idem' });
    expect(replayedDelivery.status).toBe('duplicate');
    expect(replayedDelivery.admission.status).toBe('duplicate');
    expect(await h.queue.jobs()).toHaveLength(1);
  });

  it('a delivery admitted again after its dedupe TTL gets a new run and a new job, which is delivered', async () => {
    const clock = new ManualClock(Date.now());
    const ingress = createIngress({ stores, capabilities: h.executor, clock });
    const definition = { ...h.definition, dedupeTtlSeconds: 60 };
    // Only admission time moves; jobs become due on the real clock the worker reads.
    const queue = h.queue;
    const rawBody = JSON.stringify({ orderId: 'o-ttl', amount: 3 });
    const admitOnce = async () => {
      let enqueued: Awaited<ReturnType<typeof queue.enqueueWithin>> | undefined;
      const headers = { ...signWebhook('github', { secret: WEBHOOK_SECRET, rawBody }), 'x-acme-delivery': 'dlv-ttl' };
      const admission = await ingress.admitWebhook({ tenantId: 'tenant-a', rawBody, headers }, definition, {
        within: async (tx, a) => void (enqueued = await queue.enqueueWithin(tx, a)),
      });
      return { admission, ...enqueued! };
    };
    const first = await admitOnce();
    clock.advance(30_000);
    const withinTtl = await admitOnce();
    expect([withinTtl.admission.status, withinTtl.status, withinTtl.job.dispatchId]).toEqual(['duplicate', 'duplicate', first.job.dispatchId]);
    clock.advance(31_000);
    const afterTtl = await admitOnce();
    expect(afterTtl.admission.status).toBe('accepted');
    expect(afterTtl.admission.run.runId).not.toBe(first.admission.run.runId);
    expect(afterTtl.status).toBe('enqueued');
    expect(afterTtl.job).toMatchObject({ dispatchId: dispatchIdFor(afterTtl.admission.run), runId: afterTtl.admission.run.runId, status: 'queued' });
    // Ids follow admission time, so the jobs index grows at its end.
    expect(afterTtl.job.dispatchId > first.job.dispatchId).toBe(true);
    started();
    for (const { job, admission } of [first, afterTtl]) {
      await settledJob(job.dispatchId, ['completed']);
      expect(await stores.ledger.fetchRun(admission.run.runId)).toMatchObject({ status: 'completed' });
    }
  });

  it('concurrent enqueues of one dispatch id: exactly one is enqueued, the others are duplicates', async () => {
    const { job } = await h.admitAndEnqueue({});
    const twin = { ...job, dispatchId: 'disp_twin', runId: 'run_twin' };
    const other = { ...job, dispatchId: 'disp_other', runId: 'run_other' };
    // Issued in one event-loop turn, so a tier that batches statements sees them together.
    const results = await Promise.all([stores.dispatch.enqueue(twin), stores.dispatch.enqueue(other), stores.dispatch.enqueue(twin), stores.dispatch.enqueue({ ...twin, maxAttempts: 1 })]);
    expect(results.map((r) => [r.job.dispatchId, r.status]).sort()).toEqual([
      ['disp_other', 'enqueued'],
      ['disp_twin', 'duplicate'],
      ['disp_twin', 'duplicate'],
      ['disp_twin', 'enqueued'],
    ]);
    const stored = await h.queue.fetchJob('disp_twin');
    expect(stored).toEqual(results.find((r) => r.job.dispatchId === 'disp_twin' && r.status === 'enqueued')!.job);
    for (const r of results) if (r.job.dispatchId === 'disp_twin') expect(r.job).toEqual(stored);
  });

  it('settles issued together: one that lost its lease fails alone, the others settle', async () => {
    const { job } = await h.admitAndEnqueue({});
    const now = Date.now();
    for (const id of ['disp_s1', 'disp_s2', 'disp_s3']) await stores.dispatch.enqueue({ ...job, dispatchId: id, runId: `run_${id}`, availableAt: job.availableAt });
    await stores.dispatch.claim({ leaseOwner: 'w-old', limit: 1, leaseMs: 1, now });
    const claimed = await stores.dispatch.claim({ leaseOwner: 'w1', limit: 10, leaseMs: 60_000, now: now + 10 });
    // w1 took the three new jobs and the original one, whose lease of w-old had expired.
    expect(claimed.map((j) => j.lockedBy)).toEqual(['w1', 'w1', 'w1', 'w1']);
    const [a, b, c, d] = await Promise.allSettled([
      stores.dispatch.settle('disp_s1', 'w1', { status: 'completed', at: now + 20 }),
      stores.dispatch.settle(job.dispatchId, 'w-old', { status: 'completed', at: now + 20 }),
      stores.dispatch.settle('disp_s2', 'w1', { status: 'retry_scheduled', availableAt: now + 5_000, error: { stage: 'execution', code: 'connector_timeout', message: 'slow', retryable: true, details: {}, recordedAt: new Date(now).toISOString() }, at: now + 20 }),
      stores.dispatch.settle('disp_missing', 'w1', { status: 'completed', at: now + 20 }),
    ]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { dispatchId: 'disp_s1', status: 'completed', lockedBy: null } });
    expect(b.status === 'rejected' && isIntegrationError(b.reason) && b.reason.code).toBe('lock_lost');
    expect(c).toMatchObject({ status: 'fulfilled', value: { dispatchId: 'disp_s2', status: 'retry_scheduled', attempts: 1 } });
    expect(d.status === 'rejected' && isIntegrationError(d.reason) && d.reason.code).toBe('unknown_dispatch');
    expect(await h.queue.fetchJob(job.dispatchId)).toMatchObject({ status: 'running', lockedBy: 'w1', attempts: 2 });
    expect(await h.queue.fetchJob('disp_s3')).toMatchObject({ status: 'running', lockedBy: 'w1' });
  });

  it('a worker delivers a job: run completed on attempt 1, deliver telemetry', async () => {
    const deliver = record('integration:dispatch:deliver');
    const enqueue = record('integration:dispatch:enqueue');
    try {
      const { job, admission } = await h.admitAndEnqueue({ amount: 7 });
      started();
      const done = await settledJob(job.dispatchId, ['completed']);
      expect(done).toMatchObject({ attempts: 1, lockedBy: null, lastError: null });
      const run = await stores.ledger.fetchRun(admission.run.runId);
      expect(run).toMatchObject({ status: 'completed', result: { orderId: admission.run.input && (admission.run.input as { orderId: string }).orderId, attempt: 1 } });
      const attempts = await stores.ledger.listAttempts(admission.run.runId);
      expect(attempts.map((a) => [a.attempt, a.status])).toEqual([[1, 'completed']]);
      const events = await stores.ledger.listEvents(admission.run.runId);
      expect(events.map((e) => e.type)).toEqual(['run.accepted', 'run.started', 'attempt.started', 'attempt.completed', 'run.completed']);
      expect(enqueue.seen.some((m) => m.dispatchId === job.dispatchId && m.enqueueStatus === 'enqueued')).toBe(true);
      expect(deliver.seen.some((m) => m.dispatchId === job.dispatchId && m.attempt === 1)).toBe(true);
    } finally {
      deliver.off();
      enqueue.off();
    }
  });

  it('retries with backoff, then succeeds; attempts continue in the ledger', async () => {
    const retry = record('integration:dispatch:retry');
    try {
      const { job, admission } = await h.admitAndEnqueue({ behavior: { failTimes: 2 } });
      started();
      const done = await settledJob(job.dispatchId, ['completed', 'dead_lettered']);
      expect(done).toMatchObject({ status: 'completed', attempts: 3 });
      const attempts = await stores.ledger.listAttempts(admission.run.runId);
      expect(attempts.map((a) => [a.attempt, a.status])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'completed']]);
      const mine = retry.seen.filter((m) => m.dispatchId === job.dispatchId);
      expect(mine.map((m) => m.attempt)).toEqual([1, 2]);
      for (const m of mine) {
        expect(typeof m.backoffMs).toBe('number');
        expect(m.backoffMs as number).toBeLessThanOrEqual(20);
        expect((m.lastError as { code: string }).code).toBe('connector_unavailable');
      }
    } finally {
      retry.off();
    }
  });

  it('honours Retry-After as the backoff floor', async () => {
    const retry = record('integration:dispatch:retry');
    try {
      const { job } = await h.admitAndEnqueue({ behavior: { failTimes: 1, retryAfterMs: 400 } });
      started();
      const scheduled = await settledJob(job.dispatchId, ['retry_scheduled', 'completed']);
      expect(scheduled.status).toBe('retry_scheduled');
      expect(Date.parse(scheduled.availableAt) - Date.parse(scheduled.updatedAt)).toBeGreaterThanOrEqual(400);
      expect(retry.seen.find((m) => m.dispatchId === job.dispatchId)?.backoffMs).toBe(400);
      expect((await settledJob(job.dispatchId, ['completed'])).attempts).toBe(2);
    } finally {
      retry.off();
    }
  });

  it('dead-letters after max attempts; replay continues the attempt numbering', async () => {
    const dead = record('integration:dispatch:dead_letter');
    const replay = record('integration:dispatch:replay');
    try {
      const { job, admission } = await h.admitAndEnqueue({ behavior: { failTimes: 2 } }, { maxAttempts: 2 });
      started();
      const lettered = await settledJob(job.dispatchId, ['dead_lettered', 'completed']);
      expect(lettered).toMatchObject({ status: 'dead_lettered', attempts: 2, lastError: { code: 'connector_unavailable', stage: 'execution' } });
      expect(lettered.deadLetteredAt).not.toBeNull();
      expect((await stores.ledger.fetchRun(admission.run.runId))?.status).toBe('failed');
      // Telemetry is published after the settle commits: the job can be read dead-lettered a moment before it.
      const letteredEvents = await waitFor(async () => dead.seen.filter((m) => m.dispatchId === job.dispatchId), (list) => list.length > 0);
      expect(letteredEvents).toHaveLength(1);

      const replayed = await h.queue.replay(job.dispatchId);
      expect(replayed).toMatchObject({ status: 'queued', attempts: 2, lastError: null, deadLetteredAt: null });
      expect(replay.seen.some((m) => m.dispatchId === job.dispatchId)).toBe(true);
      const done = await settledJob(job.dispatchId, ['completed', 'dead_lettered']);
      expect(done).toMatchObject({ status: 'completed', attempts: 3 });
      const run = await stores.ledger.fetchRun(admission.run.runId);
      expect(run).toMatchObject({ status: 'completed', result: { attempt: 3 } });
      expect((await stores.ledger.listAttempts(admission.run.runId)).map((a) => a.attempt)).toEqual([1, 2, 3]);
    } finally {
      dead.off();
      replay.off();
    }
  });

  it('non-retryable failures dead-letter at once', async () => {
    const { job, admission } = await h.admitAndEnqueue({ behavior: { terminal: true } });
    started();
    const lettered = await settledJob(job.dispatchId, ['dead_lettered', 'completed']);
    expect(lettered).toMatchObject({ status: 'dead_lettered', attempts: 1, lastError: { code: 'connector_invalid_request', retryable: false } });
    expect(await stores.ledger.listAttempts(admission.run.runId)).toHaveLength(1);
  });

  it('replays in bulk by filter (error code, connector, trigger, time range)', async () => {
    const terminal = await Promise.all([1, 2, 3].map(() => h.admitAndEnqueue({ behavior: { terminal: true } })));
    const exhausted = await h.admitAndEnqueue({ behavior: { failTimes: 1 } }, { maxAttempts: 1 });
    const w = started();
    for (const { job } of [...terminal, exhausted]) await settledJob(job.dispatchId, ['dead_lettered']);
    await w.stop();
    workers.splice(workers.indexOf(w), 1);

    expect(await h.queue.replayMany({ connectorId: 'other' })).toEqual([]);
    expect(await h.queue.replayMany({ errorCode: 'connector_invalid_request', to: '2000-01-01T00:00:00.000Z' })).toEqual([]);
    const replayed = await h.queue.replayMany({ connectorId: 'acme', triggerId: 'acme.order.created', errorCode: 'connector_invalid_request', from: '2000-01-01T00:00:00.000Z' });
    expect(replayed.map((j) => j.dispatchId).sort()).toEqual(terminal.map((t) => t.job.dispatchId).sort());
    expect((await h.queue.fetchJob(exhausted.job.dispatchId)).status).toBe('dead_lettered');
    const rest = await h.queue.replayMany({});
    expect(rest.map((j) => j.dispatchId)).toEqual([exhausted.job.dispatchId]);
    started();
    const done = await settledJob(exhausted.job.dispatchId, ['completed', 'dead_lettered']);
    expect(done).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it('replay of a job that is not dead-lettered, or unknown, is a typed error', async () => {
    const { job } = await h.admitAndEnqueue({});
    expect(await codeOf(h.queue.replay(job.dispatchId))).toBe('invalid_dispatch_state');
    expect(await codeOf(h.queue.replay('disp_nope'))).toBe('unknown_dispatch');
    expect(await codeOf(h.queue.fetchJob('disp_nope'))).toBe('unknown_dispatch');
  });

  it('an expired lease makes a job claimable again (a dead worker loses nothing)', async () => {
    const { job, admission } = await h.admitAndEnqueue({});
    const [ghost] = await stores.dispatch.claim({ leaseOwner: 'ghost', limit: 5, leaseMs: 150, now: Date.now() });
    expect(ghost?.dispatchId).toBe(job.dispatchId);
    expect(await stores.dispatch.claim({ leaseOwner: 'other', limit: 5, leaseMs: 150, now: Date.now() })).toEqual([]);
    started();
    const done = await settledJob(job.dispatchId, ['completed']);
    expect(done.attempts).toBe(2);
    expect((await stores.ledger.fetchRun(admission.run.runId))?.status).toBe('completed');
    expect(await codeOf(stores.dispatch.settle(job.dispatchId, 'ghost', { status: 'completed', at: Date.now() }))).toBe('lock_lost');
  });

  it('a run completed by a delivery that died before settling is completed, not re-executed', async () => {
    const { job, admission } = await h.admitAndEnqueue({});
    await stores.dispatch.claim({ leaseOwner: 'ghost', limit: 1, leaseMs: 100, now: Date.now() });
    await h.executor.executeRun(admission.run.runId); // the ghost finished the run but never settled
    started();
    const done = await settledJob(job.dispatchId, ['completed', 'dead_lettered']);
    expect(done.status).toBe('completed');
    expect((await stores.ledger.listAttempts(admission.run.runId)).map((a) => a.status)).toEqual(['completed']);
  });

  it('graceful stop finishes in-flight deliveries within the grace period', async () => {
    const { job } = await h.admitAndEnqueue({ behavior: { sleepMs: 300 } });
    const w = started();
    await settledJob(job.dispatchId, ['running']);
    await w.stop({ graceMs: 5_000 });
    expect((await h.queue.fetchJob(job.dispatchId)).status).toBe('completed');
  });

  it('stop past the grace period releases in-flight jobs for another worker', async () => {
    const { job, admission } = await h.admitAndEnqueue({ behavior: { sleepMs: 600 } });
    const w = started();
    await settledJob(job.dispatchId, ['running']);
    await w.stop({ graceMs: 20 });
    expect(w.stats().released).toBe(1);
    const released = await h.queue.fetchJob(job.dispatchId);
    expect(released).toMatchObject({ status: 'queued', lockedBy: null });
    started();
    const done = await settledJob(job.dispatchId, ['completed']);
    expect(done.status).toBe('completed');
    // The released delivery may have finished its ledger work too; exactly one attempt completed.
    await new Promise((r) => setTimeout(r, 700));
    const attempts = await stores.ledger.listAttempts(admission.run.runId);
    expect(attempts.filter((a) => a.status === 'completed')).toHaveLength(1);
  });

  it('several workers share a backlog: every run completes exactly once', async () => {
    const jobs = [];
    for (let i = 0; i < 30; i += 1) jobs.push(await h.admitAndEnqueue({}));
    started({ workerId: 'w1', concurrency: 3 });
    started({ workerId: 'w2', concurrency: 3, batchSize: 2 });
    await waitFor(() => h.queue.jobs({ status: 'completed' }), (list) => list.length === 30, 20_000);
    for (const { admission } of jobs) {
      const attempts = await stores.ledger.listAttempts(admission.run.runId);
      expect(attempts.filter((a) => a.status === 'completed')).toHaveLength(1);
    }
  });

  it('prefetch buffers leased jobs ahead, releases them on stop, and still runs each once', async () => {
    const jobs = [];
    for (let i = 0; i < 16; i += 1) jobs.push(await h.admitAndEnqueue({ behavior: { sleepMs: 40 } }));
    const w = started({ workerId: 'prefetcher', concurrency: 2, batchSize: 4, prefetch: 4 });
    await waitFor(async () => w.buffered(), (n) => n > 0, 5_000, 5);
    const held = (await h.queue.jobs({ status: 'running' })).filter((j) => j.lockedBy?.startsWith('prefetcher#'));
    expect(held.length).toBeGreaterThan(w.inFlight());
    expect(held.length).toBeLessThanOrEqual(2 + 4);
    await w.stop({ graceMs: 5_000 });
    workers.splice(workers.indexOf(w), 1);
    expect((await h.queue.jobs({ status: 'running' })).filter((j) => j.lockedBy?.startsWith('prefetcher#'))).toEqual([]);
    started({ workerId: 'finisher', concurrency: 4, prefetch: 4 });
    await waitFor(() => h.queue.jobs({ status: 'completed' }), (list) => list.length === 16, 20_000);
    for (const { admission } of jobs) {
      const attempts = await stores.ledger.listAttempts(admission.run.runId);
      expect(attempts.filter((a) => a.status === 'completed')).toHaveLength(1);
    }
  });

  it('telemetry payloads are redacted', async () => {
    const all = ['enqueue', 'deliver', 'retry', 'dead_letter', 'replay'].map((c) => record(`integration:dispatch:${c}`));
    try {
      const { job } = await h.admitAndEnqueue({ behavior: { terminal: true } }, { executeOptions: { actorId: 'ops', extensions: { api_key: 'canary-api-key-0001' } } });
      started();
      await settledJob(job.dispatchId, ['dead_lettered']);
      await h.queue.replay(job.dispatchId);
      const dump = JSON.stringify(all.map((r) => r.seen));
      expect(dump).toContain(job.dispatchId);
      expect(dump).not.toContain('canary-api-key-0001');
    } finally {
      for (const r of all) r.off();
    }
  });
});
