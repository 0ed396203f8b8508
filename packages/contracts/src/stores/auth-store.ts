import type { Connection, Install, LeaseRecord, SealedCredential } from '../records/auth';

export interface InstallFilter {
  tenantId?: string;
  connectorId?: string;
  connectionId?: string;
  state?: Install['state'];
}

export interface ConnectionFilter {
  tenantId?: string;
  connectorId?: string;
  state?: Connection['state'];
}

/**
 * Install, connection, credential and lease truth. Credentials arrive sealed: a store never sees a
 * plaintext secret. `put*` are upserts; `fetch*` of a missing id returns null. Lists are ordered by
 * createdAt, then id.
 */
export interface AuthStore {
  putInstall(install: Install): Promise<void>;
  fetchInstall(installId: string): Promise<Install | null>;
  listInstalls(filter?: InstallFilter): Promise<Install[]>;

  putConnection(connection: Connection): Promise<void>;
  fetchConnection(connectionId: string): Promise<Connection | null>;
  listConnections(filter?: ConnectionFilter): Promise<Connection[]>;

  putCredential(credential: SealedCredential): Promise<void>;
  fetchCredential(credentialId: string): Promise<SealedCredential | null>;
  listCredentials(): Promise<SealedCredential[]>;

  putLease(lease: LeaseRecord): Promise<void>;
  fetchLease(leaseId: string): Promise<LeaseRecord | null>;
  /** Marks every unrevoked lease of a connection revoked; returns how many. */
  revokeLeases(connectionId: string, revokedAt: string): Promise<number>;

  /**
   * Runs `fn` while holding a lock named `key` (single-flight refresh). On Postgres this is an
   * advisory lock, so it holds across processes and hosts.
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
