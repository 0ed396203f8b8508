import type { AuthStore, Connection, ConnectionFilter, Install, InstallFilter, LeaseRecord, SealedCredential } from '@integration/contracts';
import { copy, journaledSet } from './journal';
import type AsyncLock from 'async-lock';
import { MemoryAccess, type MemoryState } from './state';
import type { Journal } from './journal';

const byCreated = <T extends { createdAt: string }>(id: (x: T) => string) => (a: T, b: T) =>
  a.createdAt === b.createdAt ? (id(a) < id(b) ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

const matches = (record: object, filter: object) =>
  Object.entries(filter).every(([k, v]) => v === undefined || (record as Record<string, unknown>)[k] === v);

export class MemoryAuthStore extends MemoryAccess implements AuthStore {
  constructor(state: MemoryState, journal: Journal | null, private readonly locks: AsyncLock) {
    super(state, journal);
  }

  putInstall(install: Install): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.installs, install.installId, copy(install)));
  }
  fetchInstall(installId: string): Promise<Install | null> {
    return this.guard(() => copy(this.state.installs.get(installId) ?? null));
  }
  listInstalls(filter: InstallFilter = {}): Promise<Install[]> {
    return this.guard(() => copy([...this.state.installs.values()].filter((i) => matches(i, filter)).sort(byCreated((i) => i.installId))));
  }

  putConnection(connection: Connection): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.connections, connection.connectionId, copy(connection)));
  }
  fetchConnection(connectionId: string): Promise<Connection | null> {
    return this.guard(() => copy(this.state.connections.get(connectionId) ?? null));
  }
  listConnections(filter: ConnectionFilter = {}): Promise<Connection[]> {
    return this.guard(() =>
      copy([...this.state.connections.values()].filter((c) => matches(c, filter)).sort(byCreated((c) => c.connectionId))),
    );
  }

  putCredential(credential: SealedCredential): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.credentials, credential.credentialId, copy(credential)));
  }
  fetchCredential(credentialId: string): Promise<SealedCredential | null> {
    return this.guard(() => copy(this.state.credentials.get(credentialId) ?? null));
  }
  listCredentials(): Promise<SealedCredential[]> {
    return this.guard(() => copy([...this.state.credentials.values()].sort(byCreated((c) => c.credentialId))));
  }

  putLease(lease: LeaseRecord): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.leases, lease.leaseId, copy(lease)));
  }
  fetchLease(leaseId: string): Promise<LeaseRecord | null> {
    return this.guard(() => copy(this.state.leases.get(leaseId) ?? null));
  }
  revokeLeases(connectionId: string, revokedAt: string): Promise<number> {
    return this.guard(() => {
      let count = 0;
      for (const lease of this.state.leases.values()) {
        if (lease.connectionId === connectionId && lease.revokedAt === null) {
          journaledSet(this.journal, this.state.leases, lease.leaseId, { ...lease, revokedAt });
          count += 1;
        }
      }
      return count;
    });
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.acquire(key, fn);
  }
}
