import {
  integrationError,
  isoAt,
  newId,
  parseAt,
  type Connection,
  type ConnectionState,
  type Install,
} from '@integration/contracts';
import { moveConnection, assertTransition } from './connection-states';
import { connectionLockKey, connectorFor, logEvent, type AuthContext } from './context';
import { IdSchema, StartInstallInputSchema, type StartInstallInput } from './inputs';
import { PREVIOUS_STATE_KEY } from './install-lifecycle';
import { buildAuthorizationRequest, oauthSetupFor } from './oauth';
import { randomToken, sha256Hex } from './tokens';

export interface StartInstallResult {
  install: Install;
  connection: Connection;
  /** Returned once, never stored (only its SHA-256 is). Required to complete the install. */
  callbackToken: string;
  /** OAuth installs: where to send the user. Null for secret installs. */
  authorizationUrl: string | null;
}

export async function startInstall(ctx: AuthContext, connectorIdInput: string, tenantIdInput: string, rawInput: StartInstallInput): Promise<StartInstallResult> {
  const connectorId = parseAt(IdSchema, connectorIdInput, 'connectorId');
  const tenantId = parseAt(IdSchema, tenantIdInput, 'tenantId');
  const input = parseAt(StartInstallInputSchema, rawInput ?? {}, 'startInstall options');
  const connector = connectorFor(ctx, connectorId);
  if (connector.auth.type === 'none') {
    throw integrationError('auth_not_supported', `connector ${connectorId} has no auth to install`, { details: { connectorId } });
  }
  const setup = oauthSetupFor(ctx, connector);
  const method = input.method ?? (setup ? 'oauth' : 'secret');
  if (method === 'oauth' && !setup) {
    const reason = connector.auth.oauth ? 'no OAuth client is configured for it (oauthClients)' : 'it declares no OAuth endpoints';
    throw integrationError('auth_not_supported', `connector ${connectorId} cannot install through OAuth: ${reason}`, {
      details: { connectorId, method },
    });
  }
  const requestedScopes = input.requestedScopes ?? connector.auth.requestedScopes;
  // The caller's own, durable and shown as given: it is not a place for secrets (those go in `secret`).
  const metadata = input.metadata ?? {};
  const now = ctx.clock.now();
  const at = isoAt(now);
  const installId = newId('ins', now);
  const callbackToken = randomToken();
  const authorization = method === 'oauth' ? await buildAuthorizationRequest(setup!, requestedScopes) : null;

  const buildInstall = (connectionId: string, previous: ConnectionState | null): Install => ({
    installId,
    connectionId,
    tenantId,
    connectorId,
    actorId: input.actorId ?? null,
    authType: connector.auth.type,
    subject: input.subject,
    state: 'installing',
    callbackTokenHash: sha256Hex(callbackToken),
    requestedScopes,
    grantedScopes: [],
    sealedState: authorization
      ? ctx.keyRing.seal(installId, JSON.stringify({ v: 1, state: authorization.state, codeVerifier: authorization.codeVerifier }))
      : null,
    expiresAt: isoAt(now + (input.ttlSeconds ?? ctx.installTtlSeconds) * 1000),
    completedAt: null,
    metadata: { ...metadata, method, ...(previous ? { [PREVIOUS_STATE_KEY]: previous } : {}) },
    createdAt: at,
    updatedAt: at,
  });

  const draft: InstallDraft = { tenantId, connectorId, subject: input.subject, actorId: input.actorId ?? null, requestedScopes, metadata, at, now, installId, build: buildInstall };
  const result = input.connectionId === undefined ? await installOnNewConnection(ctx, connector, draft) : await reinstall(ctx, input.connectionId, draft);
  logEvent(ctx, 'info', {
    event: 'auth.install.started',
    installId,
    connectionId: result.connection.connectionId,
    connectorId,
    tenantId,
    method,
  }, 'install started');
  return { ...result, callbackToken, authorizationUrl: authorization?.authorizationUrl ?? null };
}

/** What both ways of starting an install share: who, what, when, and how to build the install record. */
interface InstallDraft {
  tenantId: string;
  connectorId: string;
  subject: string;
  actorId: string | null;
  requestedScopes: string[];
  metadata: Record<string, unknown>;
  at: string;
  now: number;
  installId: string;
  build(connectionId: string, previous: ConnectionState | null): Install;
}

type Started = { install: Install; connection: Connection };

/** A first install: a new `installing` connection and its install, in one transaction. */
async function installOnNewConnection(ctx: AuthContext, connector: ReturnType<typeof connectorFor>, draft: InstallDraft): Promise<Started> {
  const connection: Connection = {
    connectionId: newId('conn', draft.now),
    tenantId: draft.tenantId,
    connectorId: draft.connectorId,
    authType: connector.auth.type,
    subject: draft.subject,
    state: 'installing',
    credentialRefId: null,
    installId: null,
    requestedScopes: draft.requestedScopes,
    grantedScopes: [],
    leaseFields: [],
    tokenExpiresAt: null,
    lastRotatedAt: null,
    lastRefreshedAt: null,
    revokedAt: null,
    revocationReason: null,
    stateReason: 'install started',
    actorId: draft.actorId,
    metadata: draft.metadata,
    createdAt: draft.at,
    updatedAt: draft.at,
  };
  const install = draft.build(connection.connectionId, null);
  await ctx.stores.transaction(async (tx) => {
    await tx.auth.putConnection(connection);
    await tx.auth.putInstall(install);
  });
  return { install, connection };
}

/**
 * A re-install on an existing connection (under its lock): pending installs are superseded, and
 * the state it started from is recorded so that an abandoned re-install can restore it.
 */
function reinstall(ctx: AuthContext, connectionId: string, draft: InstallDraft): Promise<Started> {
  const { tenantId, connectorId, at } = draft;
  return ctx.stores.auth.withLock(connectionLockKey(connectionId), async () => {
    const existing = await ctx.stores.auth.fetchConnection(connectionId);
    if (!existing || existing.tenantId !== tenantId || existing.connectorId !== connectorId) {
      throw integrationError('unknown_connection', `no connection ${connectionId} for connector ${connectorId} in tenant ${tenantId}`, {
        details: { connectionId, connectorId, tenantId },
      });
    }
    if (existing.subject !== draft.subject) {
      throw integrationError('connection_subject_mismatch', `connection ${connectionId} belongs to another subject`, { details: { connectionId } });
    }
    assertTransition(existing, 'installing');
    const pending = await ctx.stores.auth.listInstalls({ connectionId, state: 'installing' });
    // A re-install started from a pending install keeps the state recorded by the first one.
    const previousFromPending = pending.map((p) => p.metadata[PREVIOUS_STATE_KEY]).find((s): s is ConnectionState => typeof s === 'string');
    const previous = existing.state === 'installing' ? (previousFromPending ?? null) : existing.state;
    const install = draft.build(connectionId, previous);
    const connection = moveConnection(existing, 'installing', 're-install started', at, {
      requestedScopes: draft.requestedScopes,
      actorId: draft.actorId ?? existing.actorId,
    });
    await ctx.stores.transaction(async (tx) => {
      for (const old of pending) {
        await tx.auth.putInstall({ ...old, state: 'cancelled', sealedState: null, updatedAt: at, metadata: { ...old.metadata, cancelReason: `superseded by ${draft.installId}` } });
      }
      await tx.auth.putInstall(install);
      await tx.auth.putConnection(connection);
    });
    return { install, connection };
  });
}
