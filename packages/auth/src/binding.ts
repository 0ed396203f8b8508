import { parseAt, type CredentialRef } from '@integration/contracts';
import type { AuthContext } from './context';
import { credentialRefOf } from './credential-ref';
import { IdSchema } from './inputs';
import { loadLive, needsRefresh, type LiveCredential } from './refresh';

/**
 * A connection checked once for one call: leasable, with its credential (refreshed if it was due).
 * `lease(bound, …)` cuts a lease from it without reading the connection and credential again.
 */
export interface BoundConnection {
  readonly connectionId: string;
  readonly credentialRef: CredentialRef;
  readonly tenantId: string;
  readonly grantedScopes: readonly string[];
}

// The records behind a binding stay inside auth: a caller holds the public shape only.
const liveRecords = new WeakMap<BoundConnection, LiveCredential>();

export function bindLive(live: LiveCredential): BoundConnection {
  const bound: BoundConnection = Object.freeze({
    connectionId: live.connection.connectionId,
    credentialRef: credentialRefOf(live.connection, live.credential),
    tenantId: live.connection.tenantId,
    grantedScopes: Object.freeze([...live.connection.grantedScopes]),
  });
  liveRecords.set(bound, live);
  return bound;
}

/** The AuthBinding seam the control plane uses before it creates a run. */
export async function bindConnection(ctx: AuthContext, connectionIdInput: string): Promise<BoundConnection> {
  const connectionId = parseAt(IdSchema, connectionIdInput, 'connectionId');
  return bindLive(await loadLive(ctx, connectionId));
}

/**
 * The live records of a binding, read again only when they may be stale: a binding this service
 * did not make, or a credential that has come due for refresh since it was bound.
 */
export async function liveOf(ctx: AuthContext, bound: BoundConnection): Promise<LiveCredential> {
  const live = typeof bound === 'object' && bound !== null ? liveRecords.get(bound) : undefined;
  if (live && !needsRefresh(ctx, live.credential)) return live;
  const connectionId = typeof bound === 'object' && bound !== null ? (bound as { connectionId?: unknown }).connectionId : undefined;
  return loadLive(ctx, parseAt(IdSchema, connectionId, 'bound connection: connectionId'));
}
