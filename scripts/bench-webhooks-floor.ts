/**
 * The floor under `pnpm bench:webhooks`' router: a node:http server that does, by hand, only what a
 * durable admission must — check the GitHub signature over the raw body (HMAC-SHA256, constant
 * time), parse the JSON, and write the same rows the router writes (dedupe reservation, run,
 * trigger, `run.accepted` event, dispatch job, work signal) with the same JSON record shapes,
 * through the raw better-sqlite3 driver on the store's own schema and settings (WAL, FULL), in one
 * transaction per event-loop turn (group commit, as the router's ingress does), answering 202 after
 * COMMIT. No routing, no schemas, no store layer: the distance between this and the router is what
 * the platform's code costs; the distance between this and bare node:http is what durability costs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { ANONYMOUS_CREDENTIAL_REF } from '@integration/contracts';
import { sqliteMigrations } from '@integration/store-local';

const Database = createRequire(new URL('../packages/store-local/package.json', import.meta.url))('better-sqlite3') as typeof BetterSqlite3;

interface Delivery {
  deliveryId: string;
  payload: unknown;
  res: ServerResponse;
}

const TENANT = 'tenant-bench';
const CONNECTOR = 'bench';
const TRIGGER = 'bench.tick';

export function createFloorServer(path: string, secret: string): { server: Server; acceptedTriggers: () => number; close: () => void } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -32768');
  for (const m of sqliteMigrations) db.exec(m.sql);
  const reserve = db.prepare(
    `INSERT INTO dedupe_keys (tenant_id, connector_id, trigger_id, dedupe_key, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, connector_id, trigger_id, dedupe_key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe_keys.expires_at <= ?`,
  );
  const insertRun = db.prepare('INSERT INTO runs (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertTrigger = db.prepare(
    `INSERT INTO triggers (admission_id, tenant_id, connector_id, trigger_id, dedupe_key, status, run_id, created_at, record, signal_data_is_payload)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
  );
  const insertEvent = db.prepare('INSERT INTO events (run_id, attempt_key, attempt_id, attempt, seq, record) VALUES (?, ?, ?, ?, ?, ?)');
  const insertJob = db.prepare(
    'INSERT INTO dispatch_jobs (dispatch_id, status, available_at, locked_until, created_at, run_id, connector_id, trigger_id, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const signalWork = db.prepare('UPDATE work_signal SET version = version + 1 WHERE id = 1');

  let queue: Delivery[] = [];
  let sequence = 0;
  const idPrefix = Date.now().toString(36);

  function admit(d: Delivery, now: number): void {
    const n = String(sequence++).padStart(10, '0');
    const at = new Date(now).toISOString();
    const expires = new Date(now + 86_400_000).toISOString();
    const runId = `run_${idPrefix}${n}`;
    const admissionId = `trg_${idPrefix}${n}`;
    if (reserve.run(TENANT, CONNECTOR, TRIGGER, d.deliveryId, expires, at).changes === 0) return; // duplicate (the load has none)
    const run = { runId, capabilityId: TRIGGER, connectorId: CONNECTOR, runtimeClass: 'direct', status: 'accepted', input: d.payload, credentialRef: ANONYMOUS_CREDENTIAL_REF, targetId: null, tenantId: TENANT, actorId: null, traceId: null, idempotencyKey: null, result: null, error: null, policy: null, createdAt: at, updatedAt: at };
    const signal = { specversion: '1.0', id: admissionId, type: TRIGGER, source: '/bench', subject: `${TENANT}:${TRIGGER}:${d.deliveryId}`, time: at, datacontenttype: 'application/json', data: null, tenantid: TENANT, connectorid: CONNECTOR, triggerid: TRIGGER, dedupekey: d.deliveryId, externalid: d.deliveryId };
    const trigger = { admissionId, source: 'webhook', connectorId: CONNECTOR, triggerId: TRIGGER, capabilityId: TRIGGER, tenantId: TENANT, externalId: d.deliveryId, dedupeKey: d.deliveryId, partitionKey: null, payload: d.payload, signal, status: 'accepted', runId, rejectionReason: null, createdAt: at, updatedAt: at };
    const event = { eventId: `evt_${idPrefix}${n}`, schemaVersion: '1.0', runId, attemptId: null, attempt: null, seq: 0, type: 'run.accepted', stream: 'control', level: 'info', payload: { admissionId }, payloadRef: null, trace: { traceId: null, spanId: null, correlationId: admissionId, causationId: null }, targetId: null, sessionId: null, runtimeRefId: null, ts: at };
    const job = { dispatchId: `disp_${runId}`, runId, admissionId, tenantId: TENANT, connectorId: CONNECTOR, triggerId: TRIGGER, capabilityId: TRIGGER, status: 'queued', attempts: 0, maxAttempts: 5, availableAt: at, lockedBy: null, lockedUntil: null, lastError: null, executeOptions: {}, completedAt: null, deadLetteredAt: null, createdAt: at, updatedAt: at };
    insertRun.run(runId, TRIGGER, CONNECTOR, 'accepted', TENANT, null, at, JSON.stringify(run));
    insertTrigger.run(admissionId, TENANT, CONNECTOR, TRIGGER, d.deliveryId, 'accepted', runId, at, JSON.stringify(trigger));
    insertEvent.run(runId, '-', null, null, 0, JSON.stringify(event));
    insertJob.run(job.dispatchId, 'queued', at, null, at, runId, CONNECTOR, TRIGGER, JSON.stringify(job));
  }

  function commit(): void {
    const batch = queue;
    queue = [];
    const now = Date.now();
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const d of batch) admit(d, now);
      signalWork.run();
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const d of batch) d.res.writeHead(503).end();
      throw error;
    }
    for (const d of batch) d.res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['x-hub-signature-256'];
      const given = typeof header === 'string' && header.startsWith('sha256=') ? Buffer.from(header.slice(7), 'hex') : Buffer.alloc(0);
      const expected = createHmac('sha256', secret).update(raw).digest();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const deliveryId = req.headers['x-bench-delivery'];
      if (typeof deliveryId !== 'string') {
        res.writeHead(400).end();
        return;
      }
      if (queue.length === 0) setImmediate(commit);
      queue.push({ deliveryId, payload, res });
    });
  });
  const acceptedTriggers = () => (db.prepare("SELECT COUNT(*) AS n FROM triggers WHERE status = 'accepted'").get() as { n: number }).n;
  return { server, acceptedTriggers, close: () => db.close() };
}
