import { createCipheriv, randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DispatchJobSchema } from '@integration/contracts';
import { acceptedRun, failureOf } from '@integration/contracts/testing';
import { pgMigrations, postgresStores } from '../src';
import { pgProblem, pgUrl, schemaSandbox, terminate } from './support';

const problem = await pgProblem();
const { admin, open, connect } = schemaSandbox();

describe('postgresStores options', () => {
  it('rejects bad options with invalid_argument', () => {
    const pool = new pg.Pool({ connectionString: pgUrl });
    for (const bad of [{}, { connectionString: pgUrl, pool }, { connectionString: pgUrl, schema: 'bad-name;drop' }, { connectionString: pgUrl, schema: '' }, { connectionString: pgUrl, max: 0 }]) {
      expect(() => postgresStores(bad as never)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    }
    void pool.end();
  });

  it('an unreachable server is a retryable store_unavailable, never a crash or a hang', async () => {
    const stores = postgresStores({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMs: 1_000 });
    expect(await failureOf(stores.ledger.fetchRun('x'))).toEqual({ code: 'store_unavailable', retryable: true });
    expect(await failureOf(stores.transaction(async () => 1))).toEqual({ code: 'store_unavailable', retryable: true });
    expect(await failureOf(stores.migrate())).toEqual({ code: 'store_unavailable', retryable: true });
    await stores.dispatch.waitForWork(10);
    await stores.close();
    expect(await failureOf(stores.ledger.fetchRun('x'))).toEqual({ code: 'store_failed', retryable: false });
  });
});

describe.skipIf(problem !== null)('postgresStores on a live server', () => {
  it('concurrent starters migrate a fresh schema exactly once (advisory lock)', async () => {
    const { stores: first, schema } = open('migrate', { max: 2 });
    const starters = [first, ...Array.from({ length: 3 }, () => connect(schema, { max: 2 }))];
    await Promise.all(starters.map((s) => s.migrate()));
    await Promise.all(starters.map((s, i) => s.ledger.putRun(acceptedRun(`run_${i}`))));
    const { rows } = await admin.query(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`);
    expect(rows).toEqual(pgMigrations.map((m) => ({ version: m.version, name: m.name })));
    expect((await starters[0]!.ledger.listRuns()).length).toBe(4);
  });

  it('refuses a schema migrated by a newer version with migration_failed', async () => {
    const { stores, schema } = open('future');
    await stores.migrate();
    await admin.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (999, 'future')`);
    const again = connect(schema);
    expect(await failureOf(again.ledger.fetchRun('x'))).toEqual({ code: 'migration_failed', retryable: false });
  });

  it('schemas isolate tenants of one database', async () => {
    const a = open('iso_a').stores;
    const b = open('iso_b').stores;
    await a.ledger.putRun(acceptedRun('run_only_in_a'));
    expect(await b.ledger.fetchRun('run_only_in_a')).toBeNull();
    expect((await a.ledger.fetchRun('run_only_in_a'))?.runId).toBe('run_only_in_a');
  });

  it('lost connections surface as retryable store_unavailable; the pool recovers', async () => {
    const app = `it-loss-${randomBytes(3).toString('hex')}`;
    const { stores } = open('loss', { applicationName: app });
    await stores.ledger.putRun(acceptedRun('run_before'));

    // Idle pooled connections die: the pool drops them (its 'error' handler) and the next call reconnects.
    expect(await terminate(admin, app)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const afterIdleLoss = await failureOf(stores.ledger.fetchRun('run_before'));
    expect(afterIdleLoss === null || afterIdleLoss.code === 'store_unavailable').toBe(true);
    expect((await stores.ledger.fetchRun('run_before'))?.runId).toBe('run_before');

    // A connection dies inside a transaction: the transaction fails as store_unavailable and writes nothing.
    const attempt = stores.transaction(async (tx) => {
      await tx.ledger.putRun(acceptedRun('run_in_lost_tx'));
      await terminate(admin, app);
      await tx.ledger.putRun(acceptedRun('run_in_lost_tx_2'));
    });
    expect(await failureOf(attempt)).toEqual({ code: 'store_unavailable', retryable: true });
    expect(await stores.ledger.fetchRun('run_in_lost_tx')).toBeNull();

    // And the tier keeps working.
    await stores.transaction(async (tx) => tx.ledger.putRun(acceptedRun('run_after')));
    expect((await stores.ledger.fetchRun('run_after'))?.runId).toBe('run_after');
  });

  it('waitForWork re-listens after its connection is killed and wakes on NOTIFY from another instance', async () => {
    const app = `it-listen-${randomBytes(3).toString('hex')}`;
    const { stores, schema } = open('listen', { applicationName: app });
    const other = connect(schema);
    await stores.dispatch.waitForWork(1);
    await terminate(admin, `${app}-listen`);
    await new Promise((r) => setTimeout(r, 100));
    const job = DispatchJobSchema.parse({
      dispatchId: 'disp_1',
      runId: 'run_1',
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
    });
    await stores.dispatch.waitForWork(1);
    let woke = false;
    const waiting = stores.dispatch.waitForWork(20_000).then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 50));
    await other.dispatch.enqueue(job);
    await Promise.race([waiting, new Promise((r) => setTimeout(r, 10_000))]);
    expect(woke).toBe(true);
  });

  it('withLock inside a transaction takes a transaction-scoped advisory lock that excludes other instances', async () => {
    const { stores, schema } = open('xlock');
    const other = connect(schema);
    await stores.migrate();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inTx = stores.transaction(async (tx) =>
      tx.auth.withLock('refresh:conn_9', async () => {
        order.push('tx-enter');
        await gate;
        order.push('tx-exit');
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const outside = other.auth.withLock('refresh:conn_9', async () => {
      order.push('other');
    });
    await new Promise((r) => setTimeout(r, 100));
    release();
    await Promise.all([inTx, outside]);
    expect(order).toEqual(['tx-enter', 'tx-exit', 'other']);
  });

  it('raw table contents hold the sealed envelope, never the canary plaintext', async () => {
    const { stores, schema } = open('canary');
    const canary = `canary-${randomBytes(8).toString('hex')}`;
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ access_token: canary })), cipher.final()]).toString('base64');
    await stores.auth.putCredential({
      credentialId: 'cred_1',
      connectionId: 'conn_1',
      subject: 's',
      authType: 'oauth2',
      scopes: [],
      leaseFields: ['access_token'],
      version: 1,
      envelope: { alg: 'A256GCM', kid: 'k1', iv: iv.toString('base64'), ciphertext, tag: cipher.getAuthTag().toString('base64') },
      expiresAt: null,
      revokedAt: null,
      metadata: { note: 'marker-visible' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const { rows: tables } = await admin.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    let dump = '';
    for (const { table_name } of tables) {
      const { rows } = await admin.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
      dump += rows.map((r) => r.row).join('\n');
    }
    expect(tables.length).toBeGreaterThan(10);
    expect(dump).toContain('marker-visible');
    expect(dump).toContain(ciphertext);
    expect(dump).not.toContain(canary);
  });
});
