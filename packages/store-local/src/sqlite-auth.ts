import type {
  AuthStore,
  Connection,
  ConnectionFilter,
  Install,
  InstallFilter,
  LeaseRecord,
  SealedCredential,
} from '@integration/contracts';
import { SqliteAccess, json, parseRecord, parseRecords, type CommitEffects } from './sqlite-access';
import type { SqliteHandle } from './sqlite-handle';
import { withRowLock, type LockOptions } from './sqlite-lock';

type Row = { record: string } | undefined;

/** Equality filter on record fields, exactly like the memory tier (undefined values are ignored). */
function matches(record: object, filter: object): boolean {
  return Object.entries(filter).every(([k, v]) => v === undefined || (record as Record<string, unknown>)[k] === v);
}

export class SqliteAuthStore extends SqliteAccess implements AuthStore {
  constructor(
    h: SqliteHandle,
    effects: CommitEffects,
    private readonly lockOptions: LockOptions,
  ) {
    super(h, effects);
  }

  putInstall(install: Install): Promise<void> {
    return this.write(() => {
      this.h
        .stmt(
          `INSERT INTO installs (install_id, tenant_id, connector_id, connection_id, state, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (install_id) DO UPDATE SET tenant_id = excluded.tenant_id, connector_id = excluded.connector_id,
             connection_id = excluded.connection_id, state = excluded.state, created_at = excluded.created_at, record = excluded.record`,
        )
        .run(install.installId, install.tenantId, install.connectorId, install.connectionId, install.state, install.createdAt, json(install));
    });
  }
  fetchInstall(installId: string): Promise<Install | null> {
    return this.op(() => parseRecord<Install>(this.h.stmt('SELECT record FROM installs WHERE install_id = ?').get(installId) as Row));
  }
  listInstalls(filter: InstallFilter = {}): Promise<Install[]> {
    return this.op(() =>
      parseRecords<Install>(this.h.stmt('SELECT record FROM installs ORDER BY created_at, install_id').all()).filter((i) => matches(i, filter)),
    );
  }

  putConnection(connection: Connection): Promise<void> {
    return this.write(() => {
      this.h
        .stmt(
          `INSERT INTO connections (connection_id, tenant_id, connector_id, state, created_at, record) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (connection_id) DO UPDATE SET tenant_id = excluded.tenant_id, connector_id = excluded.connector_id,
             state = excluded.state, created_at = excluded.created_at, record = excluded.record`,
        )
        .run(connection.connectionId, connection.tenantId, connection.connectorId, connection.state, connection.createdAt, json(connection));
    });
  }
  fetchConnection(connectionId: string): Promise<Connection | null> {
    return this.op(() => parseRecord<Connection>(this.h.stmt('SELECT record FROM connections WHERE connection_id = ?').get(connectionId) as Row));
  }
  listConnections(filter: ConnectionFilter = {}): Promise<Connection[]> {
    return this.op(() =>
      parseRecords<Connection>(this.h.stmt('SELECT record FROM connections ORDER BY created_at, connection_id').all()).filter((c) =>
        matches(c, filter),
      ),
    );
  }

  putCredential(credential: SealedCredential): Promise<void> {
    return this.write(() => {
      this.h
        .stmt(
          `INSERT INTO credentials (credential_id, connection_id, created_at, record) VALUES (?, ?, ?, ?)
           ON CONFLICT (credential_id) DO UPDATE SET connection_id = excluded.connection_id, created_at = excluded.created_at, record = excluded.record`,
        )
        .run(credential.credentialId, credential.connectionId, credential.createdAt, json(credential));
    });
  }
  fetchCredential(credentialId: string): Promise<SealedCredential | null> {
    return this.op(() => parseRecord<SealedCredential>(this.h.stmt('SELECT record FROM credentials WHERE credential_id = ?').get(credentialId) as Row));
  }
  listCredentials(): Promise<SealedCredential[]> {
    return this.op(() => parseRecords<SealedCredential>(this.h.stmt('SELECT record FROM credentials ORDER BY created_at, credential_id').all()));
  }

  putLease(lease: LeaseRecord): Promise<void> {
    return this.write(() => {
      this.h
        .stmt(
          `INSERT INTO leases (lease_id, connection_id, revoked_at, record) VALUES (?, ?, ?, ?)
           ON CONFLICT (lease_id) DO UPDATE SET connection_id = excluded.connection_id, revoked_at = excluded.revoked_at, record = excluded.record`,
        )
        .run(lease.leaseId, lease.connectionId, lease.revokedAt ?? null, json(lease));
    });
  }
  fetchLease(leaseId: string): Promise<LeaseRecord | null> {
    return this.op(() => parseRecord<LeaseRecord>(this.h.stmt('SELECT record FROM leases WHERE lease_id = ?').get(leaseId) as Row));
  }
  revokeLeases(connectionId: string, revokedAt: string): Promise<number> {
    return this.write(() =>
      this.h.atomic(() => {
        const open = parseRecords<LeaseRecord>(
          this.h.stmt('SELECT record FROM leases WHERE connection_id = ? AND revoked_at IS NULL ORDER BY rowid').all(connectionId),
        ).filter((lease) => lease.revokedAt === null);
        const update = this.h.stmt('UPDATE leases SET revoked_at = ?, record = ? WHERE lease_id = ?');
        for (const lease of open) update.run(revokedAt, json({ ...lease, revokedAt }), lease.leaseId);
        return open.length;
      }),
    );
  }

  /**
   * Outside a transaction: a lock row in `auth_locks`, so it holds across processes sharing the
   * file. Inside a transaction the IMMEDIATE write lock already excludes every other writer, so an
   * in-process keyed mutex is enough (a lock row written there would stay invisible until commit).
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return this.h.locks.acquire(`tx:${key}`, fn);
    return withRowLock(this.h, (f) => this.write(f), key, this.lockOptions, fn);
  }
}
