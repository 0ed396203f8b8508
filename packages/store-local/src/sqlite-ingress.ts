import type { CheckpointKey, DedupeScope, IngressStore, TriggerCheckpoint, TriggerFilter, TriggerRecord } from '@integration/contracts';
import { SqliteAccess, json, parseRecord } from './sqlite-access';

type Row = { record: string; signal_data_is_payload: number };

/**
 * A trigger's signal carries the admitted payload again as `data`. When it is the payload itself
 * (as ingress builds it), the row stores it once: `data` is kept as a null placeholder (so the key
 * keeps its place) and flagged, and reading puts a copy of the payload back.
 */
function storedTrigger(trigger: TriggerRecord): { text: string; dataIsPayload: 0 | 1 } {
  if (trigger.signal && trigger.signal.data === trigger.payload && trigger.payload !== null && trigger.payload !== undefined) {
    return { text: json({ ...trigger, signal: { ...trigger.signal, data: null } }), dataIsPayload: 1 };
  }
  return { text: json(trigger), dataIsPayload: 0 };
}

function triggerOf(row: Row): TriggerRecord {
  const trigger = JSON.parse(row.record) as TriggerRecord;
  if (row.signal_data_is_payload === 1 && trigger.signal) trigger.signal.data = structuredClone(trigger.payload);
  return trigger;
}

const triggerFromRow = (row: unknown): TriggerRecord | null => (row ? triggerOf(row as Row) : null);
const triggersFromRows = (rows: unknown[]): TriggerRecord[] => (rows as Row[]).map(triggerOf);
const COLUMNS = 'record, signal_data_is_payload';

export class SqliteIngressStore extends SqliteAccess implements IngressStore {
  /** One upsert: inserts, or takes over a reservation that expired at or before `now`. */
  reserveDedupe(scope: DedupeScope, expiresAt: string, now: string): Promise<'reserved' | 'duplicate'> {
    return this.write(() => {
      const result = this.h
        .stmt(
          `INSERT INTO dedupe_keys (tenant_id, connector_id, trigger_id, dedupe_key, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, connector_id, trigger_id, dedupe_key) DO UPDATE SET expires_at = excluded.expires_at
           WHERE dedupe_keys.expires_at <= ?`,
        )
        .run(scope.tenantId, scope.connectorId, scope.triggerId, scope.dedupeKey, expiresAt, now);
      return result.changes > 0 ? 'reserved' : 'duplicate';
    });
  }

  sweepDedupe(now: string): Promise<number> {
    return this.write(() => this.h.stmt('DELETE FROM dedupe_keys WHERE expires_at <= ?').run(now).changes);
  }

  putTrigger(trigger: TriggerRecord): Promise<void> {
    return this.write(() => {
      const stored = storedTrigger(trigger);
      this.h
        .stmt(
          `INSERT INTO triggers (admission_id, tenant_id, connector_id, trigger_id, dedupe_key, status, run_id, created_at, record, signal_data_is_payload)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (admission_id) DO UPDATE SET tenant_id = excluded.tenant_id, connector_id = excluded.connector_id,
             trigger_id = excluded.trigger_id, dedupe_key = excluded.dedupe_key, status = excluded.status, run_id = excluded.run_id,
             created_at = excluded.created_at, record = excluded.record, signal_data_is_payload = excluded.signal_data_is_payload`,
        )
        .run(
          trigger.admissionId,
          trigger.tenantId,
          trigger.connectorId,
          trigger.triggerId,
          trigger.dedupeKey,
          trigger.status,
          trigger.runId ?? null,
          trigger.createdAt,
          stored.text,
          stored.dataIsPayload,
        );
    });
  }

  fetchTrigger(admissionId: string): Promise<TriggerRecord | null> {
    return this.op(() => triggerFromRow(this.h.stmt(`SELECT ${COLUMNS} FROM triggers WHERE admission_id = ?`).get(admissionId)));
  }

  fetchTriggerByScope(scope: DedupeScope): Promise<TriggerRecord | null> {
    return this.op(() =>
      triggerFromRow(
        this.h
          .stmt(
            `SELECT ${COLUMNS} FROM triggers WHERE status = 'accepted' AND tenant_id = ? AND connector_id = ? AND trigger_id = ? AND dedupe_key = ?
             ORDER BY created_at DESC, admission_id DESC LIMIT 1`,
          )
          .get(scope.tenantId, scope.connectorId, scope.triggerId, scope.dedupeKey),
      ),
    );
  }

  listRunTriggers(runId: string): Promise<TriggerRecord[]> {
    return this.op(() => triggersFromRows(this.h.stmt(`SELECT ${COLUMNS} FROM triggers WHERE run_id = ? ORDER BY created_at, admission_id`).all(runId)));
  }

  listTriggers(filter: TriggerFilter = {}): Promise<TriggerRecord[]> {
    return this.op(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      for (const [column, value] of [
        ['tenant_id', filter.tenantId],
        ['connector_id', filter.connectorId],
        ['trigger_id', filter.triggerId],
        ['status', filter.status],
      ] as const) {
        if (value) {
          where.push(`${column} = ?`);
          params.push(value);
        }
      }
      if (filter.limit) params.push(filter.limit);
      const sql = `SELECT ${COLUMNS} FROM triggers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, admission_id${filter.limit ? ' LIMIT ?' : ''}`;
      return triggersFromRows(this.h.stmt(sql).all(...params));
    });
  }

  putCheckpoint(checkpoint: TriggerCheckpoint): Promise<TriggerCheckpoint> {
    return this.write(() =>
      this.h.atomic(() => {
        const key = [checkpoint.tenantId, checkpoint.connectorId, checkpoint.triggerId, checkpoint.partitionKey] as const;
        const previous = this.h
          .stmt('SELECT revision FROM checkpoints WHERE tenant_id = ? AND connector_id = ? AND trigger_id = ? AND partition_key = ?')
          .get(...key) as { revision: number } | undefined;
        const stored = JSON.parse(json({ ...checkpoint, revision: previous ? previous.revision + 1 : 1 })) as TriggerCheckpoint;
        this.h
          .stmt(
            `INSERT INTO checkpoints (tenant_id, connector_id, trigger_id, partition_key, revision, record) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant_id, connector_id, trigger_id, partition_key) DO UPDATE SET revision = excluded.revision, record = excluded.record`,
          )
          .run(...key, stored.revision, json(stored));
        return stored;
      }),
    );
  }

  fetchCheckpoint(key: CheckpointKey): Promise<TriggerCheckpoint | null> {
    return this.op(() =>
      parseRecord<TriggerCheckpoint>(
        this.h
          .stmt('SELECT record FROM checkpoints WHERE tenant_id = ? AND connector_id = ? AND trigger_id = ? AND partition_key = ?')
          .get(key.tenantId, key.connectorId, key.triggerId, key.partitionKey) as { record: string } | undefined,
      ),
    );
  }
}
