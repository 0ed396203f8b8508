import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DispatchJobSchema, isIntegrationError } from '@integration/contracts';
import { acceptedRun, failureOf } from '@integration/contracts/testing';
import { sqliteMigrations, sqliteStores } from '../src';
import { fixture, killHard, spawnTs, waitForLines } from './support';

const dir = mkdtempSync(join(tmpdir(), 'store-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `s-${(n += 1)}`, 'state.db');

describe('sqliteStores', () => {
  it('creates the file and its directory, in WAL mode, with versioned migrations recorded', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    expect(stores.tier).toBe('sqlite');
    await stores.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = db.prepare('SELECT version, name FROM schema_migrations').all();
    expect(versions).toEqual(sqliteMigrations.map((m) => ({ version: m.version, name: m.name })));
    db.close();
    const again = sqliteStores({ path });
    await again.migrate();
    await again.close();
    const db2 = new Database(path, { readonly: true });
    expect(db2.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: sqliteMigrations.length });
    db2.close();
  });

  it('rejects bad options with a typed validation error', () => {
    for (const bad of [{ path: ':memory:' }, { path: '' }, { path: 'x.db', busyTimeoutMs: -1 }, { path: 'x.db', extra: true }]) {
      try {
        sqliteStores(bad as never);
        expect.unreachable();
      } catch (error) {
        expect(isIntegrationError(error) && error.code).toBe('invalid_argument');
      }
    }
  });

  it('refuses a database migrated by a newer version (migration_failed), and a non-database file (store error, no crash)', () => {
    const path = fresh();
    sqliteStores({ path }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    db.close();
    expect(() => sqliteStores({ path })).toThrow(expect.objectContaining({ code: 'migration_failed' }));

    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 7));
    let caught: unknown;
    try {
      sqliteStores({ path: garbage });
    } catch (error) {
      caught = error;
    }
    expect(isIntegrationError(caught)).toBe(true);
    expect((caught as { code: string }).code).toMatch(/^store_(failed|unavailable)$/);
  });

  it('maps a write lock held past busyTimeout to a retryable store_unavailable, then recovers', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    expect(await failureOf(stores.ledger.putRun(acceptedRun('run_busy')))).toEqual({ code: 'store_unavailable', retryable: true });
    expect(await failureOf(stores.transaction(async (tx) => tx.ledger.putRun(acceptedRun('run_busy'))))).toEqual({ code: 'store_unavailable', retryable: true });
    other.exec('ROLLBACK');
    other.close();
    await stores.ledger.putRun(acceptedRun('run_busy'));
    expect((await stores.ledger.fetchRun('run_busy'))?.runId).toBe('run_busy');
    await stores.close();
  });

  it('waits for a held write lock without blocking the event loop, then proceeds', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, busyTimeoutMs: 10_000 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    // Only a free event loop can run this timer; a synchronous busy wait would starve it until timeout.
    const release = setTimeout(() => {
      other.exec('COMMIT');
      other.close();
    }, 200);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    try {
      await stores.transaction(async (tx) => tx.ledger.putRun(acceptedRun('run_after_wait')));
      await stores.ledger.updateRun('run_after_wait', { status: 'running', updatedAt: '2026-01-01T00:00:01.000Z' });
    } finally {
      clearInterval(ticker);
      clearTimeout(release);
    }
    expect(ticks).toBeGreaterThan(0);
    expect((await stores.ledger.fetchRun('run_after_wait'))?.status).toBe('running');
    await stores.close();
  });

  it('passes errors thrown by the transaction body through unchanged and rolls back', async () => {
    const stores = sqliteStores({ path: fresh() });
    class Custom extends Error {}
    const thrown = new Custom('mine');
    await expect(
      stores.transaction(async (tx) => {
        await tx.ledger.putRun(acceptedRun('run_x'));
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(await stores.ledger.fetchRun('run_x')).toBeNull();
    await stores.close();
  });

  it('a closed store answers with a typed store_failed, and close is idempotent', async () => {
    const stores = sqliteStores({ path: fresh() });
    await stores.close();
    await stores.close();
    expect(await failureOf(stores.ledger.fetchRun('x'))).toEqual({ code: 'store_failed', retryable: false });
    expect(await failureOf(stores.transaction(async () => 1))).toEqual({ code: 'store_failed', retryable: false });
  });

  it('stores records as typed columns plus JSON, never secrets outside the sealed envelope', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    await stores.ledger.putRun(acceptedRun('run_cols'));
    await stores.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT run_id, capability_id, status, created_at, record FROM runs').get() as Record<string, string>;
    expect(row).toMatchObject({ run_id: 'run_cols', capability_id: 'c', status: 'accepted', created_at: '2026-01-01T00:00:00.000Z' });
    expect(JSON.parse(row.record!)).toEqual(acceptedRun('run_cols'));
    db.close();
  });
});

describe('several processes on one file', () => {
  it('claim from two child processes hands every job out exactly once', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    for (let i = 0; i < 40; i += 1) {
      await stores.dispatch.enqueue(
        DispatchJobSchema.parse({
          dispatchId: `disp_${String(i).padStart(3, '0')}`,
          runId: `run_${i}`,
          tenantId: 't',
          connectorId: 'c',
          triggerId: 'tr',
          capabilityId: 'cap',
          status: 'queued',
          attempts: 0,
          maxAttempts: 3,
          availableAt: '2026-01-01T00:00:00.000Z',
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
        }),
      );
    }
    const children = ['p1', 'p2'].map((id) => spawnTs(fixture('claimer.ts'), [path, id]));
    const outputs = await Promise.all(
      children.map(
        (c) =>
          new Promise<string>((resolve, reject) => {
            let out = '';
            let err = '';
            c.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
            c.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
            c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`claimer exited ${code}: ${err}`))));
          }),
      ),
    );
    const claimed = outputs.flatMap((o) => o.split('\n').filter((l) => l.startsWith('claimed ')).map((l) => l.slice(8)));
    expect(outputs.every((o) => o.includes('finished'))).toBe(true);
    expect(claimed.length).toBe(40);
    expect(new Set(claimed).size).toBe(40);
    const jobs = await stores.dispatch.listJobs();
    expect(jobs.every((j) => j.status === 'running' && j.attempts === 1)).toBe(true);
    const byWorker = new Map<string, number>();
    for (const j of jobs) byWorker.set(j.lockedBy!, (byWorker.get(j.lockedBy!) ?? 0) + 1);
    expect([...byWorker.values()].reduce((a, b) => a + b, 0)).toBe(40);
    await stores.close();
  }, 120_000);

  it('withLock excludes another process, and a SIGKILLed holder frees the lock when its row expires', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, lockPollMs: 10 });
    const holder = spawnTs(fixture('lock-holder.ts'), [path, 'refresh:conn_1', '400']);
    try {
      await waitForLines(holder, /^locked$/, 1);
      let entered = false;
      const waiting = stores.auth.withLock('refresh:conn_1', async () => {
        entered = true;
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(entered).toBe(false);
      await killHard(holder);
      await waiting;
      expect(entered).toBe(true);
    } finally {
      await killHard(holder);
      await stores.close();
    }
  }, 120_000);
});

describe('waitForWork across processes', () => {
  it('a waiter wakes when another process enqueues (polled work signal)', async () => {
    const path = fresh();
    const stores = sqliteStores({ path, pollIntervalMs: 50 });
    let woke = false;
    const waiting = stores.dispatch.waitForWork(60_000).then(() => (woke = true));
    const child = spawnTs(fixture('enqueuer.ts'), [path, 'disp_from_child']);
    await waitForLines(child, /^enqueued$/, 1);
    await Promise.race([waiting, new Promise((r) => setTimeout(r, 15_000))]);
    expect(woke).toBe(true);
    expect((await stores.dispatch.fetchJob('disp_from_child'))?.status).toBe('queued');
    await killHard(child);
    await stores.close();
  }, 120_000);
});

describe('raw file contents', () => {
  it('the credential canary is absent from the database and WAL bytes even after a checkpoint', async () => {
    const path = fresh();
    const stores = sqliteStores({ path });
    const canary = `canary-${Date.now()}-secret`;
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ api_key: canary })), cipher.final()]);
    await stores.auth.putCredential({
      credentialId: 'cred_1',
      connectionId: 'conn_1',
      subject: 's',
      authType: 'api_token',
      scopes: [],
      leaseFields: ['api_key'],
      version: 1,
      envelope: { alg: 'A256GCM', kid: 'k1', iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
      expiresAt: null,
      revokedAt: null,
      metadata: { note: 'marker-visible' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const walBytes = readFileSync(`${path}-wal`).toString('latin1');
    expect(walBytes).toContain('marker-visible');
    expect(walBytes).not.toContain(canary);
    await stores.close();
    // close() checkpoints the WAL into the main file.
    const bytes = readFileSync(path).toString('latin1');
    expect(bytes).toContain('marker-visible');
    expect(bytes).toContain(ciphertext.toString('base64'));
    expect(bytes).not.toContain(canary);
  });
});
