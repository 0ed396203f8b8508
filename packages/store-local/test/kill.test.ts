import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStores } from '../src';
import { tornReason } from '@integration/contracts/testing';
import { fixture, killHard, spawnTs, waitForLines } from './support';

const dir = mkdtempSync(join(tmpdir(), 'store-local-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGKILL mid-stream (real child processes)', () => {
  it('two writer processes on one file are killed mid-transaction; reopening finds no torn run', async () => {
    const path = join(dir, 'kill.db');
    // The schema exists before the writers start (as after a deploy); racing migrators have their own test.
    await sqliteStores({ path }).close();
    const writers = [spawnTs(fixture('kill-writer.ts'), [path, 'run_a']), spawnTs(fixture('kill-writer.ts'), [path, 'run_b'])];
    try {
      await Promise.all(writers.map((w) => waitForLines(w, /^done \d+$/, 40)));
      // Let them run on so the kill lands at an arbitrary point of some transaction.
      await new Promise((r) => setTimeout(r, 37));
    } finally {
      await Promise.all(writers.map(killHard));
    }
    expect(writers.every((w) => w.signalCode === 'SIGKILL')).toBe(true);

    const stores = sqliteStores({ path });
    try {
      const runs = await stores.ledger.listRuns();
      expect(runs.length).toBeGreaterThanOrEqual(80);
      const torn: Array<[string, string]> = [];
      for (const run of runs) {
        const reason = await tornReason(stores, run.runId);
        if (reason) torn.push([run.runId, reason]);
      }
      expect(torn).toEqual([]);
      const completed = runs.filter((r) => r.status === 'completed').length;
      expect(completed).toBeGreaterThanOrEqual(80);
      // Each writer's runs form a prefix: every run before its last one is completed.
      for (const prefix of ['run_a', 'run_b']) {
        const mine = runs.filter((r) => r.runId.startsWith(prefix)).sort((a, b) => (a.runId < b.runId ? -1 : 1));
        expect(mine.slice(0, -1).every((r) => r.status === 'completed')).toBe(true);
      }
      // The file is healthy and writable after the crash.
      const check = await stores.transaction(async () => 'ok');
      expect(check).toBe('ok');
    } finally {
      await stores.close();
    }
  }, 120_000);
});
