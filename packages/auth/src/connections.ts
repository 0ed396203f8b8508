import {
  integrationError,
  isoAt,
  parseAt,
  type Connection,
  type ConnectionFilter,
  type CredentialRef,
  type SealedCredential,
} from '@integration/contracts';
import { assertTransition, moveConnection } from './connection-states';
import { connectionLockKey, connectorFor, logEvent, type AuthContext } from './context';
import { credentialRefOf } from './credential-ref';
import { storeNextCredentialVersion } from './credential-version';
import { ConnectionFilterSchema, IdSchema, RevokeInputSchema, RotateInputSchema, type RevokeInput, type RotateInput } from './inputs';
import { oauthSetupFor, revokeAtProvider } from './oauth';
import { openSecret, type SecretMap } from './secrets';

async function loadConnection(ctx: AuthContext, connectionId: string): Promise<Connection> {
  const connection = await ctx.stores.auth.fetchConnection(connectionId);
  if (!connection) throw integrationError('unknown_connection', `no connection ${connectionId}`, { details: { connectionId } });
  return connection;
}

async function loadCredential(ctx: AuthContext, connection: Connection): Promise<SealedCredential> {
  const credential = connection.credentialRefId ? await ctx.stores.auth.fetchCredential(connection.credentialRefId) : null;
  if (!credential) {
    throw integrationError('unknown_credential', `connection ${connection.connectionId} has no credential`, {
      details: { connectionId: connection.connectionId, credentialRefId: connection.credentialRefId },
    });
  }
  return credential;
}

export async function connectionStatus(ctx: AuthContext, connectionIdInput: string): Promise<Connection> {
  return loadConnection(ctx, parseAt(IdSchema, connectionIdInput, 'connectionId'));
}

export async function listConnections(ctx: AuthContext, filterInput: ConnectionFilter = {}): Promise<Connection[]> {
  return ctx.stores.auth.listConnections(parseAt(ConnectionFilterSchema, filterInput ?? {}, 'connection filter'));
}

export interface RotateResult {
  connection: Connection;
  /** Same id as before the rotation. */
  credentialRef: CredentialRef;
}

/** Replaces the secret under the same credential id and bumps its version (older leases are superseded). */
export async function rotateConnection(ctx: AuthContext, connectionIdInput: string, rawInput: RotateInput): Promise<RotateResult> {
  const connectionId = parseAt(IdSchema, connectionIdInput, 'connectionId');
  const input = parseAt(RotateInputSchema, rawInput ?? {}, 'rotateConnection attributes');
  return ctx.stores.auth.withLock(connectionLockKey(connectionId), async () => {
    const connection = await loadConnection(ctx, connectionId);
    assertTransition(connection, 'connected');
    const credential = await loadCredential(ctx, connection);
    const { connection: connected, credential: rotated } = await storeNextCredentialVersion(
      ctx,
      connection,
      credential,
      {
        secret: input.secret,
        scopes: input.scopes ?? credential.scopes,
        expiresAt: input.expiresAt !== undefined ? input.expiresAt : credential.expiresAt,
      },
      {
        kind: 'rotated',
        connection: (at) => ({ lastRotatedAt: at, revokedAt: null, revocationReason: null, actorId: input.actorId ?? connection.actorId }),
      },
    );
    return { connection: connected, credentialRef: credentialRefOf(connected, rotated) };
  });
}

/**
 * Revokes a connection: wipes the sealed secret, revokes every outstanding lease and cancels
 * pending installs, in one transaction. Later lease requests get `connection_revoked`. OAuth
 * connectors with a revocation endpoint also get the grant revoked at the provider (best effort).
 */
export async function revokeConnection(ctx: AuthContext, connectionIdInput: string, rawInput: RevokeInput): Promise<Connection> {
  return endConnection(ctx, connectionIdInput, rawInput, 'revoked');
}

/** Disables a connection (same wiping as revoke); only a re-install brings it back. */
export async function disableConnection(ctx: AuthContext, connectionIdInput: string, rawInput: RevokeInput): Promise<Connection> {
  return endConnection(ctx, connectionIdInput, rawInput, 'disabled');
}

async function endConnection(ctx: AuthContext, connectionIdInput: string, rawInput: RevokeInput, to: 'revoked' | 'disabled'): Promise<Connection> {
  const connectionId = parseAt(IdSchema, connectionIdInput, 'connectionId');
  const input = parseAt(RevokeInputSchema, rawInput ?? {}, `${to === 'revoked' ? 'revoke' : 'disable'}Connection attributes`);
  const ended = await ctx.stores.auth.withLock(connectionLockKey(connectionId), async () => {
    const connection = await loadConnection(ctx, connectionId);
    if (connection.state === to) return { connection, wiped: null };
    assertTransition(connection, to);
    const credential = connection.credentialRefId ? await loadCredential(ctx, connection) : null;
    // Opened before the wipe so the grant can be revoked at the provider afterwards.
    let wiped: SecretMap | null = null;
    if (credential?.envelope) {
      try {
        wiped = openSecret(ctx.keyRing, credential);
      } catch {
        wiped = null; // an unsealable credential is still wiped locally
      }
    }
    const at = isoAt(ctx.clock.now());
    const next = moveConnection(connection, to, `${to}: ${input.reason}`, at, {
      ...(to === 'revoked' ? { revokedAt: at, revocationReason: input.reason } : {}),
      tokenExpiresAt: null,
      actorId: input.actorId ?? connection.actorId,
    });
    const pending = await ctx.stores.auth.listInstalls({ connectionId, state: 'installing' });
    let revokedLeases = 0;
    await ctx.stores.transaction(async (tx) => {
      if (credential && credential.envelope !== null) {
        await tx.auth.putCredential({ ...credential, envelope: null, revokedAt: at, expiresAt: null, version: credential.version + 1, updatedAt: at });
      }
      for (const install of pending) {
        await tx.auth.putInstall({ ...install, state: 'cancelled', sealedState: null, updatedAt: at, metadata: { ...install.metadata, cancelReason: `connection ${to}` } });
      }
      await tx.auth.putConnection(next);
      revokedLeases = await tx.auth.revokeLeases(connectionId, at);
    });
    logEvent(ctx, 'info', { event: `auth.connection.${to}`, connectionId, from: connection.state, to, reason: input.reason, revokedLeases }, `connection ${to}`);
    return { connection: next, wiped };
  });
  if (ended.wiped) {
    const connector = ctx.lookupConnector(ended.connection.connectorId);
    const outcome = connector ? await revokeAtProvider(ctx, oauthSetupFor(ctx, connector), ended.wiped) : 'not_supported';
    if (outcome !== 'not_supported') {
      logEvent(ctx, outcome === 'revoked' ? 'info' : 'warn', { event: 'auth.connection.provider_revocation', connectionId, outcome }, `provider revocation ${outcome}`);
    }
  }
  return ended.connection;
}

/**
 * One named secret (e.g. a webhook signing secret) for in-process verification. Only names the
 * connector declares in `auth.secretNames` are readable; the value is never stored elsewhere.
 */
export async function resolveSecret(ctx: AuthContext, connectionIdInput: string, secretName: string): Promise<string> {
  const connectionId = parseAt(IdSchema, connectionIdInput, 'connectionId');
  const name = parseAt(IdSchema, secretName, 'secretName');
  const connection = await loadConnection(ctx, connectionId);
  if (connection.state === 'revoked' || connection.state === 'disabled') {
    throw integrationError(connection.state === 'revoked' ? 'connection_revoked' : 'connection_disabled', `connection ${connectionId} is ${connection.state}`, {
      details: { connectionId, state: connection.state },
    });
  }
  const connector = connectorFor(ctx, connection.connectorId);
  if (!connector.auth.secretNames.includes(name)) {
    throw integrationError('unknown_secret', `connector ${connector.id} declares no secret named "${name}"`, {
      details: { connectionId, secretName: name, reason: 'not_declared' },
    });
  }
  const secret = openSecret(ctx.keyRing, await loadCredential(ctx, connection));
  const value = secret[name];
  if (value === undefined) {
    throw integrationError('unknown_secret', `connection ${connectionId} holds no secret named "${name}"`, { details: { connectionId, secretName: name } });
  }
  return value;
}
