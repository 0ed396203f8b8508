import { z } from 'zod';
import {
  integrationError,
  isoAt,
  newId,
  parseAt,
  type Connection,
  type ConnectionState,
  type CredentialRef,
  type Install,
  type InstallFilter,
  type SealedCredential,
  type StoreSet,
} from '@integration/contracts';
import { canTransition, moveConnection, assertTransition } from './connection-states';
import { connectionLockKey, connectorFor, logEvent, nowIso, type AuthContext } from './context';
import { credentialRefOf } from './credential-ref';
import {
  CancelInstallInputSchema,
  CompleteInstallInputSchema,
  IdSchema,
  InstallFilterSchema,
  StartInstallInputSchema,
  type CancelInstallInput,
  type CompleteInstallInput,
  type StartInstallInput,
} from './inputs';
import { bindTokenResponse, buildAuthorizationRequest, exchangeCode, oauthSetupFor } from './oauth';
import { leaseFieldsFor, sealSecret, type SecretMap } from './secrets';
import { callbackTokenMatches, constantTimeEqual, randomToken, sha256Hex } from './tokens';

/** Install metadata key recording the connection state a re-install started from. */
export const PREVIOUS_STATE_KEY = 'previousConnectionState';

export interface StartInstallResult {
  install: Install;
  connection: Connection;
  /** Returned once, never stored (only its SHA-256 is). Required to complete the install. */
  callbackToken: string;
  /** OAuth installs: where to send the user. Null for secret installs. */
  authorizationUrl: string | null;
}

export interface CompleteInstallResult {
  install: Install;
  connection: Connection;
  credentialRef: CredentialRef;
}

const InstallStateSecretSchema = z.object({ v: z.literal(1), state: z.string().min(1), codeVerifier: z.string().min(1).nullable() });

function isOverdue(ctx: AuthContext, install: Install): boolean {
  return install.state === 'installing' && Date.parse(install.expiresAt) <= ctx.clock.now();
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

  let result: { install: Install; connection: Connection };
  if (input.connectionId === undefined) {
    const connection: Connection = {
      connectionId: newId('conn', now),
      tenantId,
      connectorId,
      authType: connector.auth.type,
      subject: input.subject,
      state: 'installing',
      credentialRefId: null,
      installId: null,
      requestedScopes,
      grantedScopes: [],
      leaseFields: [],
      tokenExpiresAt: null,
      lastRotatedAt: null,
      lastRefreshedAt: null,
      revokedAt: null,
      revocationReason: null,
      stateReason: 'install started',
      actorId: input.actorId ?? null,
      metadata,
      createdAt: at,
      updatedAt: at,
    };
    const install = buildInstall(connection.connectionId, null);
    await ctx.stores.transaction(async (tx) => {
      await tx.auth.putConnection(connection);
      await tx.auth.putInstall(install);
    });
    result = { install, connection };
  } else {
    const connectionId = input.connectionId;
    result = await ctx.stores.auth.withLock(connectionLockKey(connectionId), async () => {
      const existing = await ctx.stores.auth.fetchConnection(connectionId);
      if (!existing || existing.tenantId !== tenantId || existing.connectorId !== connectorId) {
        throw integrationError('unknown_connection', `no connection ${connectionId} for connector ${connectorId} in tenant ${tenantId}`, {
          details: { connectionId, connectorId, tenantId },
        });
      }
      if (existing.subject !== input.subject) {
        throw integrationError('connection_subject_mismatch', `connection ${connectionId} belongs to another subject`, {
          details: { connectionId },
        });
      }
      assertTransition(existing, 'installing');
      const pending = await ctx.stores.auth.listInstalls({ connectionId, state: 'installing' });
      // A re-install started from a pending install keeps the state recorded by the first one.
      const previousFromPending = pending.map((p) => p.metadata[PREVIOUS_STATE_KEY]).find((s): s is ConnectionState => typeof s === 'string');
      const previous = existing.state === 'installing' ? (previousFromPending ?? null) : existing.state;
      const install = buildInstall(connectionId, previous);
      const connection = moveConnection(existing, 'installing', 're-install started', at, {
        requestedScopes,
        actorId: input.actorId ?? existing.actorId,
      });
      await ctx.stores.transaction(async (tx) => {
        for (const old of pending) {
          await tx.auth.putInstall({ ...old, state: 'cancelled', sealedState: null, updatedAt: at, metadata: { ...old.metadata, cancelReason: `superseded by ${installId}` } });
        }
        await tx.auth.putInstall(install);
        await tx.auth.putConnection(connection);
      });
      return { install, connection };
    });
  }
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

/**
 * Marks an install expired or cancelled. Must run under the connection lock. If the connection
 * is still `installing` because of it, it goes back to the state the re-install started from.
 */
async function abandonInstall(ctx: AuthContext, install: Install, state: 'expired' | 'cancelled', reason: string, extra: Record<string, unknown> = {}): Promise<Install> {
  const at = nowIso(ctx);
  const updated: Install = { ...install, state, sealedState: null, updatedAt: at, metadata: { ...install.metadata, ...extra } };
  const connection = await ctx.stores.auth.fetchConnection(install.connectionId);
  let restored: Connection | null = null;
  if (connection && connection.state === 'installing') {
    const stillPending = (await ctx.stores.auth.listInstalls({ connectionId: install.connectionId, state: 'installing' })).filter(
      (p) => p.installId !== install.installId && !isOverdue(ctx, p),
    );
    const previous = install.metadata[PREVIOUS_STATE_KEY];
    if (stillPending.length === 0 && typeof previous === 'string' && previous !== 'installing') {
      // installing → degraded is not a transition: a degraded connection comes back as connected.
      const target = (previous === 'degraded' ? 'connected' : previous) as ConnectionState;
      if (canTransition('installing', target)) restored = moveConnection(connection, target, `install ${state}: ${reason}`, at);
    }
  }
  await ctx.stores.transaction(async (tx) => {
    await tx.auth.putInstall(updated);
    if (restored) await tx.auth.putConnection(restored);
  });
  logEvent(ctx, 'info', {
    event: `auth.install.${state}`,
    installId: install.installId,
    connectionId: install.connectionId,
    reason,
    ...(restored ? { connectionState: restored.state } : {}),
  }, `install ${state}`);
  return updated;
}

async function loadInstall(ctx: AuthContext, installId: string): Promise<Install> {
  const install = await ctx.stores.auth.fetchInstall(installId);
  if (!install) throw integrationError('unknown_install', `no install ${installId}`, { details: { installId } });
  return install;
}

function assertInstalling(install: Install): void {
  const details = { installId: install.installId, state: install.state };
  if (install.state === 'completed') throw integrationError('install_already_consumed', `install ${install.installId} was already completed`, { details });
  if (install.state === 'cancelled') throw integrationError('install_cancelled', `install ${install.installId} was cancelled`, { details });
  if (install.state === 'expired') throw integrationError('install_expired', `install ${install.installId} expired`, { details });
}

/** Marks an overdue install expired (under the lock) and returns the current record. */
async function settleExpiry(ctx: AuthContext, install: Install): Promise<Install> {
  if (!isOverdue(ctx, install)) return install;
  return ctx.stores.auth.withLock(connectionLockKey(install.connectionId), async () => {
    const current = await loadInstall(ctx, install.installId);
    return isOverdue(ctx, current) ? abandonInstall(ctx, current, 'expired', 'ttl elapsed') : current;
  });
}

export async function fetchInstall(ctx: AuthContext, installIdInput: string): Promise<Install> {
  const installId = parseAt(IdSchema, installIdInput, 'installId');
  return settleExpiry(ctx, await loadInstall(ctx, installId));
}

export async function listInstalls(ctx: AuthContext, filterInput: InstallFilter = {}): Promise<Install[]> {
  const filter = parseAt(InstallFilterSchema, filterInput ?? {}, 'install filter');
  const all = await ctx.stores.auth.listInstalls({ ...filter, state: undefined });
  const settled: Install[] = [];
  for (const install of all) settled.push(await settleExpiry(ctx, install));
  return filter.state ? settled.filter((i) => i.state === filter.state) : settled;
}

/** Marks every overdue install expired; returns how many changed. */
export async function sweepExpiredInstalls(ctx: AuthContext): Promise<number> {
  let count = 0;
  for (const install of await ctx.stores.auth.listInstalls({ state: 'installing' })) {
    if (isOverdue(ctx, install) && (await settleExpiry(ctx, install)).state === 'expired') count += 1;
  }
  return count;
}

export async function cancelInstall(ctx: AuthContext, installIdInput: string, rawInput: CancelInstallInput = {}): Promise<Install> {
  const installId = parseAt(IdSchema, installIdInput, 'installId');
  const input = parseAt(CancelInstallInputSchema, rawInput ?? {}, 'cancelInstall options');
  const first = await loadInstall(ctx, installId);
  return ctx.stores.auth.withLock(connectionLockKey(first.connectionId), async () => {
    let install = await loadInstall(ctx, installId);
    if (install.state === 'cancelled') return install;
    if (isOverdue(ctx, install)) install = await abandonInstall(ctx, install, 'expired', 'ttl elapsed');
    assertInstalling(install);
    return abandonInstall(ctx, install, 'cancelled', input.reason ?? 'cancelled', {
      cancelReason: input.reason ?? 'cancelled',
      cancelledBy: input.actorId ?? null,
    });
  });
}

export async function completeInstall(ctx: AuthContext, installIdInput: string, rawInput: CompleteInstallInput): Promise<CompleteInstallResult> {
  const installId = parseAt(IdSchema, installIdInput, 'installId');
  const input = parseAt(CompleteInstallInputSchema, rawInput ?? {}, 'completeInstall attributes');
  const first = await loadInstall(ctx, installId);
  return ctx.stores.auth.withLock(connectionLockKey(first.connectionId), async () => {
    let install = await loadInstall(ctx, installId);
    // The token proves the caller started this install; nothing else is revealed without it.
    if (!callbackTokenMatches(input.callbackToken, install.callbackTokenHash)) {
      throw integrationError('invalid_callback_token', `callback token does not match install ${installId}`, { details: { installId } });
    }
    if (isOverdue(ctx, install)) install = await abandonInstall(ctx, install, 'expired', 'ttl elapsed');
    assertInstalling(install);
    if (input.subject !== install.subject) {
      throw integrationError('install_subject_mismatch', `install ${installId} was started for another subject`, { details: { installId } });
    }
    const connection = await ctx.stores.auth.fetchConnection(install.connectionId);
    if (!connection) {
      throw integrationError('unknown_connection', `install ${installId} points at a missing connection`, {
        details: { installId, connectionId: install.connectionId },
      });
    }
    assertTransition(connection, 'connected');
    const connector = connectorFor(ctx, install.connectorId);
    const nowMs = ctx.clock.now();

    let secret: SecretMap;
    let expiresAt: string | null;
    let scopes: string[];
    let credentialMetadata: Record<string, unknown> = {};
    if (install.sealedState) {
      if (input.code === undefined || input.state === undefined) {
        throw integrationError('invalid_argument', `install ${installId} is an OAuth install: pass the code and state from the redirect`, {
          details: { installId },
        });
      }
      const saved = InstallStateSecretSchema.safeParse(safeJson(ctx.keyRing.open(installId, install.sealedState)));
      if (!saved.success) throw integrationError('credential_unsealable', `install ${installId} has an unreadable sealed state`, { details: { installId } });
      if (!constantTimeEqual(input.state, saved.data.state)) {
        throw integrationError('invalid_oauth_state', `OAuth state does not match install ${installId}`, { details: { installId } });
      }
      const setup = oauthSetupFor(ctx, connector);
      if (!setup) {
        throw integrationError('auth_not_supported', `no OAuth client is configured for connector ${connector.id}`, { details: { connectorId: connector.id } });
      }
      const tokens = await exchangeCode(ctx, setup, { code: input.code, state: input.state, codeVerifier: saved.data.codeVerifier });
      const bound = bindTokenResponse(connector, tokens, ctx.clock.now(), setup.endpoints.scopeSeparator);
      const clash = Object.keys(input.secret ?? {}).filter((key) => key in bound.secret);
      if (clash.length > 0) {
        throw integrationError('invalid_argument', `secret entries clash with the token response: ${clash.join(', ')}`, { details: { keys: clash } });
      }
      secret = { ...(input.secret ?? {}), ...bound.secret };
      expiresAt = input.expiresAt !== undefined ? input.expiresAt : bound.expiresAt;
      scopes = input.grantedScopes ?? bound.scopes ?? install.requestedScopes;
      credentialMetadata = bound.metadata;
    } else {
      if (input.code !== undefined || input.state !== undefined) {
        throw integrationError('invalid_argument', `install ${installId} is a secret install: code and state do not apply`, { details: { installId } });
      }
      if (!input.secret) {
        throw integrationError('invalid_argument', `install ${installId} needs the secret to store (e.g. { access_token })`, { details: { installId } });
      }
      secret = input.secret;
      expiresAt = input.expiresAt ?? null;
      scopes = input.grantedScopes ?? install.requestedScopes;
    }

    const at = isoAt(ctx.clock.now());
    const credentialId = connection.credentialRefId ?? newId('cred', nowMs);
    const existing = await ctx.stores.auth.fetchCredential(credentialId);
    const leaseFields = leaseFieldsFor(connector.auth.leaseFields, secret, connector.auth.secretNames);
    const credential: SealedCredential = {
      credentialId,
      connectionId: connection.connectionId,
      subject: install.subject,
      authType: install.authType,
      scopes,
      leaseFields,
      version: (existing?.version ?? 0) + 1,
      envelope: sealSecret(ctx.keyRing, credentialId, secret),
      expiresAt,
      revokedAt: null,
      metadata: credentialMetadata,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    };
    const completed: Install = { ...install, state: 'completed', grantedScopes: scopes, completedAt: at, sealedState: null, updatedAt: at };
    const connected = moveConnection(connection, 'connected', 'install completed', at, {
      credentialRefId: credentialId,
      installId,
      grantedScopes: scopes,
      leaseFields,
      tokenExpiresAt: expiresAt,
      revokedAt: null,
      revocationReason: null,
      actorId: input.actorId ?? install.actorId ?? connection.actorId,
    });
    await ctx.stores.transaction(async (tx: StoreSet) => {
      await tx.auth.putCredential(credential);
      await tx.auth.putInstall(completed);
      await tx.auth.putConnection(connected);
    });
    logEvent(ctx, 'info', {
      event: 'auth.install.completed',
      installId,
      connectionId: connected.connectionId,
      credentialRefId: credentialId,
      credentialVersion: credential.version,
      from: connection.state,
      to: 'connected',
    }, 'install completed');
    return { install: completed, connection: connected, credentialRef: credentialRefOf(connected, credential) };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
