import type { CheckpointKey, DedupeScope, IngressStore, TriggerCheckpoint, TriggerFilter, TriggerRecord } from '@integration/contracts';
import { PgAccess, first, json, records } from './pg-context';

export class PgIngressStore extends PgAccess implements IngressStore {
  /**
   * One upsert: inserts, or takes over a reservation that expired at or before `now`. A live
   * duplicate is a no-op conflict (never an error), so it cannot abort an enclosing transaction;
   * concurrent reservations of one key serialise on the primary key and exactly one wins.
   */
  async reserveDedupe(scope: DedupeScope, expiresAt: string, now: string): Promise<'reserved' | 'duplicate'> {
    const result = await this.q.query(
      `INSERT INTO ${this.t('dedupe_keys')} AS d (tenant_id, connector_id, trigger_id, dedupe_key, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, connector_id, trigger_id, dedupe_key) DO UPDATE SET expires_at = excluded.expires_at
       WHERE d.expires_at <= $6`,
      [scope.tenantId, scope.connectorId, scope.triggerId, scope.dedupeKey, expiresAt, now],
    );
    return (result.rowCount ?? 0) > 0 ? 'reserved' : 'duplicate';
  }

  async sweepDedupe(now: string): Promise<number> {
    return (await this.q.query(`DELETE FROM ${this.t('dedupe_keys')} WHERE expires_at <= $1`, [now])).rowCount ?? 0;
  }

  async putTrigger(trigger: TriggerRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('triggers')} (admission_id, tenant_id, connector_id, trigger_id, dedupe_key, status, run_id, created_at, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)
       ON CONFLICT (admission_id) DO UPDATE SET tenant_id = excluded.tenant_id, connector_id = excluded.connector_id,
         trigger_id = excluded.trigger_id, dedupe_key = excluded.dedupe_key, status = excluded.status, run_id = excluded.run_id,
         created_at = excluded.created_at, record = excluded.record`,
      [
        trigger.admissionId,
        trigger.tenantId,
        trigger.connectorId,
        trigger.triggerId,
        trigger.dedupeKey,
        trigger.status,
        trigger.runId ?? null,
        trigger.createdAt,
        json(trigger),
      ],
    );
  }

  async fetchTrigger(admissionId: string): Promise<TriggerRecord | null> {
    return first<TriggerRecord>((await this.q.query(`SELECT record FROM ${this.t('triggers')} WHERE admission_id = $1`, [admissionId])).rows);
  }

  async fetchTriggerByScope(scope: DedupeScope): Promise<TriggerRecord | null> {
    return first<TriggerRecord>(
      (
        await this.q.query(
          `SELECT record FROM ${this.t('triggers')}
           WHERE status = 'accepted' AND tenant_id = $1 AND connector_id = $2 AND trigger_id = $3 AND dedupe_key = $4
           ORDER BY created_at DESC, admission_id DESC LIMIT 1`,
          [scope.tenantId, scope.connectorId, scope.triggerId, scope.dedupeKey],
        )
      ).rows,
    );
  }

  async listRunTriggers(runId: string): Promise<TriggerRecord[]> {
    return records<TriggerRecord>(
      (await this.q.query(`SELECT record FROM ${this.t('triggers')} WHERE run_id = $1 ORDER BY created_at, admission_id`, [runId])).rows,
    );
  }

  async listTriggers(filter: TriggerFilter = {}): Promise<TriggerRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['tenant_id', filter.tenantId],
      ['connector_id', filter.connectorId],
      ['trigger_id', filter.triggerId],
      ['status', filter.status],
    ] as const) {
      if (value) {
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
    }
    let sql = `SELECT record FROM ${this.t('triggers')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, admission_id`;
    if (filter.limit) {
      params.push(filter.limit);
      sql += ` LIMIT $${params.length}`;
    }
    return records<TriggerRecord>((await this.q.query(sql, params)).rows);
  }

  /**
   * The revision bump is one upsert (which row-locks the checkpoint until commit, so concurrent
   * writers queue), then the record is written with the revision it got — both in one transaction.
   */
  async putCheckpoint(checkpoint: TriggerCheckpoint): Promise<TriggerCheckpoint> {
    const key = [checkpoint.tenantId, checkpoint.connectorId, checkpoint.triggerId, checkpoint.partitionKey];
    return this.q.atomic(async (q) => {
      const { rows } = await q.query<{ revision: number }>(
        `INSERT INTO ${this.t('checkpoints')} AS c (tenant_id, connector_id, trigger_id, partition_key, revision, record)
         VALUES ($1, $2, $3, $4, 1, '{}'::json)
         ON CONFLICT (tenant_id, connector_id, trigger_id, partition_key) DO UPDATE SET revision = c.revision + 1
         RETURNING revision`,
        key,
      );
      const stored = JSON.parse(json({ ...checkpoint, revision: rows[0]!.revision })) as TriggerCheckpoint;
      await q.query(
        `UPDATE ${this.t('checkpoints')} SET record = $5::json WHERE tenant_id = $1 AND connector_id = $2 AND trigger_id = $3 AND partition_key = $4`,
        [...key, json(stored)],
      );
      return stored;
    });
  }

  async fetchCheckpoint(key: CheckpointKey): Promise<TriggerCheckpoint | null> {
    return first<TriggerCheckpoint>(
      (
        await this.q.query(
          `SELECT record FROM ${this.t('checkpoints')} WHERE tenant_id = $1 AND connector_id = $2 AND trigger_id = $3 AND partition_key = $4`,
          [key.tenantId, key.connectorId, key.triggerId, key.partitionKey],
        )
      ).rows,
    );
  }
}
