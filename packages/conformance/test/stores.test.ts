import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Stores } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { sqliteStores } from '@integration/store-local';
import { defineStoreBattery, registerStoreBattery, runStoreConformance, type StoreCheck } from '../src/stores';

registerStoreBattery({ describe, it }, { name: 'memory', create: async () => memoryStores() });

const dir = mkdtempSync(join(tmpdir(), 'store-battery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths = new WeakMap<Stores, string>();
let counter = 0;
const open = (path: string, groupCommit: boolean) => {
  const stores = sqliteStores({ path, groupCommit });
  paths.set(stores, path);
  return stores;
};

// The SQLite tier with its group commit of single calls (the default) and without it.
for (const groupCommit of [true, false]) {
  const reopened = (stores: Stores) => open(paths.get(stores)!, groupCommit);
  registerStoreBattery(
    { describe, it },
    {
      name: groupCommit ? 'sqlite' : 'sqlite (groupCommit: false)',
      create: async () => open(join(dir, `battery-${(counter += 1)}.db`), groupCommit),
      reopen: async (stores) => {
        await stores.close();
        return reopened(stores);
      },
      // In one process a second sqliteStores() on the same path shares the open file (and its
      // transaction mutex); cross-process concurrency is covered by store-local's child-process tests.
      connect: async (stores) => reopened(stores),
      rawStorage: async (stores) => {
        const path = paths.get(stores)!;
        const parts = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
        return Buffer.concat(parts);
      },
    },
  );
}

describe('runStoreConformance (runner-agnostic API)', () => {
  it('reports every check of the battery with a status, and skips checks whose hooks are missing', async () => {
    const report = await runStoreConformance(async () => memoryStores(), { only: ['ledger.', 'auth.credentials_sealed_at_rest', 'concurrency.claim_race'] });
    expect(report.tier).toBe('memory');
    expect(report.failed).toBe(0);
    expect(report.results.find((r) => r.id === 'auth.credentials_sealed_at_rest')?.status).toBe('skipped');
    expect(report.results.find((r) => r.id === 'concurrency.claim_race')?.status).toBe('skipped');
    expect(report.passed).toBe(defineStoreBattery().filter((c) => c.id.startsWith('ledger.')).length);
  });

  it('fails a check against an adapter that breaks a rule (the battery can fail)', async () => {
    // An adapter whose putRun silently overwrites instead of rejecting duplicates.
    const broken = async (): Promise<Stores> => {
      const stores = memoryStores();
      const putRun = stores.ledger.putRun.bind(stores.ledger);
      stores.ledger.putRun = async (run) => {
        if (await stores.ledger.fetchRun(run.runId)) return;
        return putRun(run);
      };
      return stores;
    };
    const report = await runStoreConformance({ name: 'broken', create: broken }, { only: ['ledger.runs.duplicate_and_update'] });
    expect(report.failed).toBe(1);
    expect(report.results[0]!.message).toMatch(/duplicate_record/);
  });

  it('fails the sealed-run and restart checks against adapters that page by creation or drop the lost error', async () => {
    const byCreation = async (): Promise<Stores> => {
      const stores = memoryStores();
      stores.ledger.listSealedRuns = async (after, limit) => (await stores.ledger.listRuns()).filter((r) => r.sealedInput !== null && (after === null || r.runId > after)).slice(0, limit);
      return stores;
    };
    const sealed = await runStoreConformance({ name: 'by-creation', create: byCreation }, { only: ['ledger.sealed_runs.pages'] });
    expect(sealed.results.map((r) => r.status)).toEqual(['failed']);
    const dropsError = async (): Promise<Stores> => {
      // Inside transactions (where restartRun works), updateAttempt forgets the error of the patch.
      const stores = memoryStores();
      const transaction = stores.transaction.bind(stores);
      const forgetful = (ledger: Stores['ledger']): Stores['ledger'] =>
        new Proxy(ledger, {
          get: (target, key) =>
            key === 'updateAttempt'
              ? (id: string, { error: _error, ...patch }: Parameters<Stores['ledger']['updateAttempt']>[1], fence: Parameters<Stores['ledger']['updateAttempt']>[2]) => target.updateAttempt(id, patch, fence)
              : (Reflect.get(target, key) as (...args: unknown[]) => unknown).bind(target),
        });
      stores.transaction = (fn) => transaction((tx) => fn({ ...tx, ledger: forgetful(tx.ledger) }));
      return stores;
    };
    const restart = await runStoreConformance({ name: 'drops-error', create: dropsError }, { only: ['ledger.restart_run.closes_lost_attempts'] });
    expect(restart.results.map((r) => r.status)).toEqual(['failed']);
  });

  it('turns a throwing factory into failed results, never a crash', async () => {
    const check: StoreCheck = { id: 'x', title: 'x', run: async () => undefined };
    const report = await runStoreConformance(
      { name: 'unreachable', create: async () => Promise.reject(Object.assign(new Error('no database'), { code: 'store_unavailable' })) },
      { checks: [check] },
    );
    expect(report.results[0]).toMatchObject({ id: 'x', status: 'failed', code: 'store_unavailable', message: 'no database' });
  });
});
