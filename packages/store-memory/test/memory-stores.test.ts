import { describe, expect, it } from 'vitest';
import type { Run } from '@integration/contracts';
import { memoryStores } from '../src';

const now = '2026-01-01T00:00:00.000Z';
const run = (runId: string): Run => ({
  runId,
  capabilityId: 'a.b',
  connectorId: 'a',
  runtimeClass: 'direct',
  status: 'accepted',
  input: {},
  sealedInput: null,
  credentialRef: { id: 'c', subject: 's', scopes: [], authType: 'none', connectionId: null, installId: null, connectorId: null, tenantId: null },
  targetId: null,
  tenantId: null,
  actorId: null,
  traceId: null,
  idempotencyKey: null,
  result: null,
  error: null,
  policy: null,
  createdAt: now,
  updatedAt: now,
});

describe('memory tier transactions', () => {
  it('roll back every write of a failed transaction', async () => {
    const stores = memoryStores();
    await stores.ledger.putRun(run('run_keep'));
    await expect(
      stores.transaction(async (tx) => {
        await tx.ledger.putRun(run('run_gone'));
        await tx.ledger.updateRun('run_keep', { status: 'failed', updatedAt: now });
        await tx.ingress.reserveDedupe({ tenantId: 't', connectorId: 'c', triggerId: 'x', dedupeKey: 'k' }, '2027-01-01T00:00:00.000Z', now);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await stores.ledger.listRuns()).map((r) => [r.runId, r.status])).toEqual([['run_keep', 'accepted']]);
    expect(await stores.ingress.reserveDedupe({ tenantId: 't', connectorId: 'c', triggerId: 'x', dedupeKey: 'k' }, '2027-01-01T00:00:00.000Z', now)).toBe('reserved');
  });

  it('serialise transactions and make plain calls wait for an open one', async () => {
    const stores = memoryStores();
    const order: string[] = [];
    const tx = stores.transaction(async (t) => {
      await t.ledger.putRun(run('run_tx'));
      await new Promise((r) => setTimeout(r, 20));
      order.push('tx done');
    });
    const read = stores.ledger.fetchRun('run_tx').then((r) => order.push(`read ${r?.runId ?? 'none'}`));
    await Promise.all([tx, read]);
    expect(order).toEqual(['tx done', 'read run_tx']);
  });

  it('store frozen copies: neither the written object nor a read one can change the store', async () => {
    const stores = memoryStores();
    const written = run('run_1');
    await stores.ledger.putRun(written);
    written.status = 'completed';
    const fetched = (await stores.ledger.fetchRun('run_1'))!;
    expect(fetched.status).toBe('accepted');
    expect(() => {
      (fetched as { status: string }).status = 'failed';
    }).toThrow(TypeError);
    const listed = await stores.ledger.listRuns();
    listed.sort();
    expect((await stores.ledger.fetchRun('run_1'))!.status).toBe('accepted');
  });
});
