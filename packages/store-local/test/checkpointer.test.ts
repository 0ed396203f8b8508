import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import diagnostics from 'node:diagnostics_channel';
import { afterAll, describe, expect, it } from 'vitest';
import { acceptedRun } from '@integration/contracts/testing';
import { checkpointerChannel, sqliteStores } from '../src';
import { fixture, spawnTs, waitForLines } from './support';

const dir = mkdtempSync(join(tmpdir(), 'store-local-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bigRun = (runId: string) => acceptedRun(runId, { input: { blob: runId.repeat(200) } });

const fileSize = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

/** Records the checkpointer events of one file. */
function watch(path: string): string[] {
  const seen: string[] = [];
  const listener = (message: unknown) => {
    const { event, path: of } = message as { event: string; path: string };
    if (of === path) seen.push(event);
  };
  diagnostics.subscribe(checkpointerChannel.name, listener);
  afterAll(() => diagnostics.unsubscribe(checkpointerChannel.name, listener));
  return seen;
}

describe('background checkpointer', () => {
  it('copies the WAL into the database file off the event loop once writes are heavy, and stops on close', async () => {
    const path = join(dir, 'heavy.db');
    const events = watch(path);
    const stores = sqliteStores({ path });
    // ~4 KiB per run: the WAL passes SQLite's 1,000-page autocheckpoint size, which starts the thread.
    let i = 0;
    while (!events.includes('started')) await stores.ledger.putRun(bigRun(`run_${String((i += 1)).padStart(5, '0')}`));
    const before = fileSize(path);
    // Fewer pages than the writer's raised autocheckpoint: only the thread moves them into the file.
    for (let j = 0; j < 1_500; j += 1) await stores.ledger.putRun(bigRun(`run_${String((i += 1)).padStart(5, '0')}`));
    while (fileSize(path) <= before) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fileSize(path)).toBeGreaterThan(before);

    await stores.close();
    expect(events).toEqual(['started', 'stopped']);
    // The thread's connection closed first, so the last close checkpointed and removed the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = sqliteStores({ path });
    try {
      expect((await reopened.ledger.listRuns()).length).toBe(i);
      const last = `run_${String(i).padStart(5, '0')}`;
      expect(await reopened.ledger.fetchRun(last)).toEqual(bigRun(last));
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('never starts for a light workload: closing leaves nothing running and the WAL removed', async () => {
    const path = join(dir, 'light.db');
    const events = watch(path);
    const stores = sqliteStores({ path });
    for (let i = 0; i < 20; i += 1) await stores.ledger.putRun(bigRun(`run_${i}`));
    await stores.close();
    expect(events).toEqual([]);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a process whose last work is close() stays alive until the thread has exited, then the WAL is gone', async () => {
    const path = join(dir, 'child.db');
    const child = spawnTs(fixture('heavy-then-close.ts'), [path]);
    const lines = await waitForLines(child, /^(started|closed)$/, 2);
    expect(lines).toEqual(['started', 'closed']);
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    expect(child.exitCode).toBe(0);
    expect(existsSync(`${path}-wal`)).toBe(false);
  }, 120_000);
});
