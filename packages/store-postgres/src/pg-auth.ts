import type { AuthStore, Connection, ConnectionFilter, Install, InstallFilter, LeaseRecord, SealedCredential } from '@integration/contracts';
import { checkout, release } from './executor';
import { advisoryKey } from './lock-key';
import { PgAccess, first, json, records } from './pg-context';
import { toStoreError } from './errors';

function matches(record: object, filter: object): boolean {
  return Object.entries(filter).every(([k, v]) => v === undefined || (record as Record<string, unknown>)[k] === v);
}

export class PgAuthStore extends PgAccess implements AuthStore {
  async putInstall(install: Install): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('installs')} (install_id, tenant_id, connector_id, connection_id, state, created_at, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7::json)
       ON CONFLICT (install_id) DO UPDATE SET tenant_id = excluded.tenant_id, connector_id = excluded.connector_id,
         connection_id = excluded.connection_id, state = excluded.state, created_at = excluded.created_at, record = excluded.record`,
      [install.installId, install.tenantId, install.connectorId, install.connectionId, install.state, install.createdAt, json(install)],
    );
  }
  async fetchInstall(installId: string): Promise<Install | null> {
    return first<Install>((await this.q.query(`SELECT record FROM ${this.t('installs')} WHERE install_id = $1`, [installId])).rows);
  }
  async listInstalls(filter: InstallFilter = {}): Promise<Install[]> {
    const rows = records<Install>((await this.q.query(`SELECT record FROM ${this.t('installs')} ORDER BY created_at, install_id`)).rows);
    return rows.filter((i) => matches(i, filter));
  }

  async putConnection(connection: Connection): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('connections')} (connection_id, tenant_id, connector_id, state, created_at, record)
       VALUES ($1, $2, $3, $4, $5, $6::json)
       ON CONFLICT (connection_id) DO UPDATE SET tenant_id = excluded.tenant_id, connector_id = excluded.connector_id,
         state = excluded.state, created_at = excluded.created_at, record = excluded.record`,
      [connection.connectionId, connection.tenantId, connection.connectorId, connection.state, connection.createdAt, json(connection)],
    );
  }
  async fetchConnection(connectionId: string): Promise<Connection | null> {
    return first<Connection>((await this.q.query(`SELECT record FROM ${this.t('connections')} WHERE connection_id = $1`, [connectionId])).rows);
  }
  async listConnections(filter: ConnectionFilter = {}): Promise<Connection[]> {
    const rows = records<Connection>((await this.q.query(`SELECT record FROM ${this.t('connections')} ORDER BY created_at, connection_id`)).rows);
    return rows.filter((c) => matches(c, filter));
  }

  async putCredential(credential: SealedCredential): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('credentials')} (credential_id, connection_id, created_at, record) VALUES ($1, $2, $3, $4::json)
       ON CONFLICT (credential_id) DO UPDATE SET connection_id = excluded.connection_id, created_at = excluded.created_at, record = excluded.record`,
      [credential.credentialId, credential.connectionId, credential.createdAt, json(credential)],
    );
  }
  async fetchCredential(credentialId: string): Promise<SealedCredential | null> {
    return first<SealedCredential>((await this.q.query(`SELECT record FROM ${this.t('credentials')} WHERE credential_id = $1`, [credentialId])).rows);
  }
  async listCredentials(): Promise<SealedCredential[]> {
    return records<SealedCredential>((await this.q.query(`SELECT record FROM ${this.t('credentials')} ORDER BY created_at, credential_id`)).rows);
  }

  async putLease(lease: LeaseRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.t('leases')} (lease_id, connection_id, revoked_at, record) VALUES ($1, $2, $3, $4::json)
       ON CONFLICT (lease_id) DO UPDATE SET connection_id = excluded.connection_id, revoked_at = excluded.revoked_at, record = excluded.record`,
      [lease.leaseId, lease.connectionId, lease.revokedAt ?? null, json(lease)],
    );
  }
  async fetchLease(leaseId: string): Promise<LeaseRecord | null> {
    return first<LeaseRecord>((await this.q.query(`SELECT record FROM ${this.t('leases')} WHERE lease_id = $1`, [leaseId])).rows);
  }
  async revokeLeases(connectionId: string, revokedAt: string): Promise<number> {
    return this.q.atomic(async (q) => {
      const open = records<LeaseRecord>(
        (await q.query(`SELECT record FROM ${this.t('leases')} WHERE connection_id = $1 AND revoked_at IS NULL ORDER BY ord FOR UPDATE`, [connectionId])).rows,
      ).filter((lease) => lease.revokedAt === null);
      if (open.length === 0) return 0;
      await q.query(
        `UPDATE ${this.t('leases')} l SET revoked_at = $2, record = v.record
         FROM unnest($1::text[], $3::json[]) AS v(lease_id, record) WHERE l.lease_id = v.lease_id`,
        [open.map((l) => l.leaseId), revokedAt, open.map((l) => json({ ...l, revokedAt }))],
      );
      return open.length;
    });
  }

  /**
   * A Postgres advisory lock on a hash of (schema, key): single-flight across processes and hosts.
   * Outside a transaction a session lock on a dedicated pool client, held while `fn` runs; inside
   * one a transaction-scoped lock (released at commit or rollback). Callers in this process queue
   * on a keyed mutex first, so they hold at most one pool client per key.
   */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = advisoryKey(`integration.auth:${this.ctx.schema}:${key}`);
    if (this.q.inTransaction) {
      return this.ctx.locks.acquire(`tx:${key}`, async () => {
        await this.q.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]);
        return fn();
      });
    }
    return this.ctx.locks.acquire(key, async () => {
      await this.ctx.ready();
      const client = await checkout(this.ctx.pool);
      try {
        await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
      } catch (error) {
        release(client, error);
        throw toStoreError(error);
      }
      let failure: unknown;
      try {
        return await fn();
      } finally {
        try {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
        } catch (error) {
          // A lost connection already released the session lock on the server side.
          failure = error;
        }
        release(client, failure);
      }
    });
  }
}
