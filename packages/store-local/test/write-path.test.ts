import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ANONYMOUS_CREDENTIAL_REF, EventSchema, RunSchema, type TriggerRecord } from '@integration/contracts';
import { sqliteMigrations, sqliteStores } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'store-local-write-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = '2026-01-01T00:00:00.000Z';

const run = (runId: string) =>
  RunSchema.parse({ runId, capabilityId: 'c', connectorId: 'x', runtimeClass: 'direct', status: 'accepted', input: {}, credentialRef: ANONYMOUS_CREDENTIAL_REF, createdAt: at, updatedAt: at });
const event = (runId: string, seq: number) =>
  EventSchema.parse({ eventId: `evt_${runId}_${seq}`, runId, attemptId: null, attempt: null, seq, type: 'run.accepted', stream: 'control', level: 'info', payload: { seq }, ts: at });

function trigger(admissionId: string, payload: unknown, data: unknown = payload): TriggerRecord {
  return {
    admissionId,
    source: 'webhook',
    connectorId: 'x',
    triggerId: 'x.t',
    capabilityId: 'x.t',
    tenantId: 'tn',
    externalId: admissionId,
    dedupeKey: admissionId,
    partitionKey: null,
    payload,
    signal: {
      specversion: '1.0',
      id: admissionId,
      type: 'x.t',
      source: '/x',
      subject: `tn:x.t:${admissionId}`,
      time: at,
      datacontenttype: 'application/json',
      data,
      tenantid: 'tn',
      connectorid: 'x',
      triggerid: 'x.t',
      dedupekey: admissionId,
    },
    status: 'accepted',
    runId: null,
    rejectionReason: null,
    createdAt: at,
    updatedAt: at,
  };
}

describe('schema version 2 (fewer pages per write)', () => {
  it('migrates a version-1 file in place: events keep their order and ids, dedupe reservations survive', async () => {
    const path = join(dir, 'v1.db');
    // A file as version 1 left it (e.g. a demo's .integration/ state), rows written by that version.
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.exec(sqliteMigrations.find((m) => m.version === 1)!.sql);
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    raw.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run('initial', at);
    raw.prepare('INSERT INTO runs (run_id, capability_id, connector_id, status, created_at, record) VALUES (?, ?, ?, ?, ?, ?)').run('run_1', 'c', 'x', 'accepted', at, JSON.stringify(run('run_1')));
    for (const seq of [0, 1]) {
      raw.prepare('INSERT INTO events (run_id, attempt_key, attempt_id, attempt, seq, record) VALUES (?, ?, NULL, NULL, ?, ?)').run('run_1', '', seq, JSON.stringify(event('run_1', seq)));
    }
    raw.prepare('INSERT INTO dedupe_keys VALUES (?, ?, ?, ?, ?)').run('tn', 'x', 'x.t', 'k1', '2099-01-01T00:00:00.000Z');
    raw.prepare('INSERT INTO triggers (admission_id, tenant_id, connector_id, trigger_id, dedupe_key, status, run_id, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run('trg_old', 'tn', 'x', 'x.t', 'trg_old', 'accepted', null, at, JSON.stringify(trigger('trg_old', { n: 1 })));
    raw.close();

    const stores = sqliteStores({ path });
    try {
      const check = new Database(path, { readonly: true });
      expect(check.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(sqliteMigrations.map((m) => ({ version: m.version })));
      expect(check.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").get()).not.toMatchObject({ sql: expect.stringContaining('AUTOINCREMENT') });
      expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'dispatch_jobs_created_idx'").get()).toBeUndefined();
      check.close();
      await stores.ledger.appendEvents([event('run_1', 2)]);
      expect((await stores.ledger.listEvents('run_1')).map((e) => e.seq)).toEqual([0, 1, 2]);
      expect(await stores.ingress.reserveDedupe({ tenantId: 'tn', connectorId: 'x', triggerId: 'x.t', dedupeKey: 'k1' }, '2099-01-02T00:00:00.000Z', at)).toBe('duplicate');
      expect(await stores.ingress.fetchTrigger('trg_old')).toEqual(trigger('trg_old', { n: 1 }));
    } finally {
      await stores.close();
    }
  });
});

describe('trigger rows', () => {
  it('store a signal whose data is the payload once, and read back an equal record with its own copy', async () => {
    const path = join(dir, 'triggers.db');
    const stores = sqliteStores({ path });
    try {
      const marker = 'payload-marker-'.repeat(8);
      const payload = { marker, nested: { list: [1, 2, 3] } };
      const shared = trigger('trg_shared', payload);
      const distinct = trigger('trg_distinct', payload, { other: true });
      await stores.ingress.putTrigger(shared);
      await stores.ingress.putTrigger(distinct);
      const back = (await stores.ingress.fetchTrigger('trg_shared'))!;
      expect(back).toEqual(shared);
      expect(Object.keys(back.signal!)).toEqual(Object.keys(shared.signal!));
      expect(back.signal!.data).not.toBe(back.payload);
      expect(await stores.ingress.fetchTrigger('trg_distinct')).toEqual(distinct);
      expect(await stores.ingress.listTriggers()).toEqual([distinct, shared].sort((a, b) => (a.admissionId < b.admissionId ? -1 : 1)));

      const raw = new Database(path, { readonly: true });
      const row = raw.prepare('SELECT record FROM triggers WHERE admission_id = ?').get('trg_shared') as { record: string };
      raw.close();
      expect(row.record.split(marker).length - 1).toBe(1);
    } finally {
      await stores.close();
    }
  });
});
