import { isoAt, type Connection, type SealedCredential } from '@integration/contracts';
import { moveConnection } from './connection-states';
import { connectorFor, logEvent, type AuthContext } from './context';
import { leaseFieldsFor, sealSecret, type SecretMap } from './secrets';

export interface NextSecret {
  secret: SecretMap;
  scopes: string[];
  expiresAt: string | null;
}

export interface VersionChange {
  /** `rotated` or `refreshed`: the connection's state reason and the log event. */
  kind: 'rotated' | 'refreshed';
  /** Connection fields this change also sets (given the change's timestamp). */
  connection: (at: string) => Partial<Connection>;
}

/**
 * Stores the next version of a connection's credential (new sealed secret, version + 1, so older
 * leases are superseded) and moves the connection to connected, in one transaction. Rotation and
 * refresh both end here.
 */
export async function storeNextCredentialVersion(
  ctx: AuthContext,
  connection: Connection,
  credential: SealedCredential,
  next: NextSecret,
  change: VersionChange,
): Promise<{ connection: Connection; credential: SealedCredential }> {
  const connector = connectorFor(ctx, connection.connectorId);
  const at = isoAt(ctx.clock.now());
  const leaseFields = leaseFieldsFor(connector.auth.leaseFields, next.secret, connector.auth.secretNames);
  const stored: SealedCredential = {
    ...credential,
    scopes: next.scopes,
    leaseFields,
    version: credential.version + 1,
    envelope: sealSecret(ctx.keyRing, credential.credentialId, next.secret),
    expiresAt: next.expiresAt,
    revokedAt: null,
    updatedAt: at,
  };
  const connected = moveConnection(connection, 'connected', `credential ${change.kind}`, at, {
    grantedScopes: next.scopes,
    leaseFields,
    tokenExpiresAt: stored.expiresAt,
    ...change.connection(at),
  });
  await ctx.stores.transaction(async (tx) => {
    await tx.auth.putCredential(stored);
    await tx.auth.putConnection(connected);
  });
  logEvent(ctx, 'info', {
    event: `auth.credential.${change.kind}`,
    connectionId: connection.connectionId,
    credentialRefId: credential.credentialId,
    credentialVersion: stored.version,
    from: connection.state,
    to: 'connected',
  }, `credential ${change.kind}`);
  return { connection: connected, credential: stored };
}
