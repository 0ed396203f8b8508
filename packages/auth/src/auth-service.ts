import {
  parseAt,
  silentLogger,
  systemClock,
  type Connection,
  type ConnectionFilter,
  type ConnectorDefinition,
  type Install,
  type InstallFilter,
  type Lease,
  type SecretSealer,
} from '@integration/contracts';
import { bindConnection, type BoundConnection } from './binding';
import { connectionStatus, disableConnection, listConnections, resolveSecret, revokeConnection, rotateConnection, type RotateResult } from './connections';
import type { AuthContext } from './context';
import type { CancelInstallInput, CompleteInstallInput, LeaseRequest, RevokeInput, RotateInput, StartInstallInput } from './inputs';
import { cancelInstall, fetchInstall, listInstalls, sweepExpiredInstalls } from './install-lifecycle';
import { startInstall, type StartInstallResult } from './start-install';
import { completeInstall, type CompleteInstallResult } from './complete-install';
import { KeyRing } from './key-ring';
import { fetchLease, leaseFromBinding, requestLease } from './leases';
import { AuthServiceOptionsSchema, type AuthServiceOptions, type ConnectorLookup } from './options';
import { rewrapCredentials, type RewrapReport } from './rewrap';

/** Install, connection, credential and lease lifecycle. Every failure is a typed IntegrationError. */
export interface AuthService {
  startInstall(connectorId: string, tenantId: string, options: StartInstallInput): Promise<StartInstallResult>;
  completeInstall(installId: string, attributes: CompleteInstallInput): Promise<CompleteInstallResult>;
  cancelInstall(installId: string, options?: CancelInstallInput): Promise<Install>;
  fetchInstall(installId: string): Promise<Install>;
  installs(filter?: InstallFilter): Promise<Install[]>;
  /** Marks every overdue install expired; returns how many. */
  expireInstalls(): Promise<number>;

  connectionStatus(connectionId: string): Promise<Connection>;
  connections(filter?: ConnectionFilter): Promise<Connection[]>;
  rotateConnection(connectionId: string, attributes: RotateInput): Promise<RotateResult>;
  revokeConnection(connectionId: string, attributes: RevokeInput): Promise<Connection>;
  disableConnection(connectionId: string, attributes: RevokeInput): Promise<Connection>;

  requestLease(connectionId: string, request?: LeaseRequest): Promise<Lease>;
  fetchLease(leaseId: string): Promise<Lease>;

  /**
   * The control plane's AuthBinding seam: `bind` checks a connection once for a call (leasable, its
   * credential refreshed if due); `lease` cuts a lease from that binding without reading it again.
   */
  bind(connectionId: string): Promise<BoundConnection>;
  lease(bound: BoundConnection, request?: LeaseRequest): Promise<Lease>;
  /** A declared secret (e.g. `webhook_secret`) for in-process signature checks. */
  resolveSecret(connectionId: string, secretName: string): Promise<string>;

  /** Re-seals everything under the active key. */
  rewrapCredentials(): Promise<RewrapReport>;
  /** Seals and opens with the key ring (e.g. inline webhook route secrets). */
  readonly sealer: SecretSealer;
  readonly activeKeyId: string;
}

function lookupFrom(connectors: ConnectorDefinition[] | ConnectorLookup): ConnectorLookup {
  if (typeof connectors === 'function') return connectors;
  const byId = new Map(connectors.map((c) => [c.id, c] as const));
  return (id) => byId.get(id) ?? null;
}

/**
 * Creates the auth service. Throws `key_configuration_missing` when no sealing keys are configured
 * outside development (development gets a generated key and a loud warning).
 */
export function createAuthService(options: AuthServiceOptions): AuthService {
  const parsed = parseAt(AuthServiceOptionsSchema, options, 'createAuthService options');
  const logger = (parsed.logger ?? silentLogger).child({ component: 'auth' });
  const keyRing = KeyRing.forEnvironment(parsed.secrets, parsed.environment, logger);
  const ctx: AuthContext = {
    stores: parsed.stores,
    keyRing,
    clock: parsed.clock ?? systemClock,
    logger,
    lookupConnector: lookupFrom(parsed.connectors),
    oauthClients: parsed.oauthClients,
    fetch: parsed.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    refreshSkewMs: parsed.refreshSkewMs,
    refreshTimeoutMs: parsed.refreshTimeoutMs,
    httpTimeoutMs: parsed.httpTimeoutMs,
    leaseTtlSeconds: parsed.leaseTtlSeconds,
    installTtlSeconds: parsed.installTtlSeconds,
    inflightRefreshes: new Map(),
  };
  const sealer: SecretSealer = {
    seal: (recordId, plaintext) => keyRing.seal(recordId, plaintext),
    open: (recordId, envelope) => keyRing.open(recordId, envelope),
    needsRewrap: (envelope) => keyRing.needsRewrap(envelope),
  };
  return {
    startInstall: (connectorId, tenantId, opts) => startInstall(ctx, connectorId, tenantId, opts),
    completeInstall: (installId, attrs) => completeInstall(ctx, installId, attrs),
    cancelInstall: (installId, opts) => cancelInstall(ctx, installId, opts),
    fetchInstall: (installId) => fetchInstall(ctx, installId),
    installs: (filter) => listInstalls(ctx, filter),
    expireInstalls: () => sweepExpiredInstalls(ctx),
    connectionStatus: (connectionId) => connectionStatus(ctx, connectionId),
    connections: (filter) => listConnections(ctx, filter),
    rotateConnection: (connectionId, attrs) => rotateConnection(ctx, connectionId, attrs),
    revokeConnection: (connectionId, attrs) => revokeConnection(ctx, connectionId, attrs),
    disableConnection: (connectionId, attrs) => disableConnection(ctx, connectionId, attrs),
    requestLease: (connectionId, request) => requestLease(ctx, connectionId, request),
    fetchLease: (leaseId) => fetchLease(ctx, leaseId),
    bind: (connectionId) => bindConnection(ctx, connectionId),
    lease: (bound, request) => leaseFromBinding(ctx, bound, request),
    resolveSecret: (connectionId, secretName) => resolveSecret(ctx, connectionId, secretName),
    rewrapCredentials: () => rewrapCredentials(ctx),
    sealer,
    activeKeyId: keyRing.activeKeyId,
  };
}
