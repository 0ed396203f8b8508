import {
  integrationError,
  isoAt,
  type Clock,
  type ConnectorDefinition,
  type Logger,
  type Stores,
} from '@integration/contracts';
import type { KeyRing } from './key-ring';
import type { ConnectorLookup, OAuthClient } from './options';

/** What every auth flow shares. */
export interface AuthContext {
  stores: Stores;
  keyRing: KeyRing;
  clock: Clock;
  logger: Logger;
  lookupConnector: ConnectorLookup;
  oauthClients: Record<string, OAuthClient>;
  fetch: typeof globalThis.fetch;
  refreshSkewMs: number;
  refreshTimeoutMs: number;
  httpTimeoutMs: number;
  leaseTtlSeconds: number;
  installTtlSeconds: number;
  /** In-process single-flight: refreshes in progress by connection id. */
  inflightRefreshes: Map<string, Promise<unknown>>;
}

export function nowIso(ctx: AuthContext): string {
  return isoAt(ctx.clock.now());
}

export function connectorFor(ctx: AuthContext, connectorId: string): ConnectorDefinition {
  const connector = ctx.lookupConnector(connectorId);
  if (!connector) throw integrationError('unknown_connector', `no connector "${connectorId}" is registered`, { details: { connectorId } });
  return connector;
}

/** The one lock that serialises every mutation of a connection (and its refresh). */
export function connectionLockKey(connectionId: string): string {
  return `auth:connection:${connectionId}`;
}

/** Logs through the injected logger. Fields are ids, states and reasons: auth never logs a secret value. */
export function logEvent(ctx: AuthContext, level: 'info' | 'warn' | 'error' | 'debug', fields: Record<string, unknown>, message: string): void {
  ctx.logger[level](fields, message);
}
