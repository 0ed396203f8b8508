import { z } from 'zod';
import { integrationError, isoAt, newId, parseAt, type CredentialRef, type Connection, type Install, type SealedCredential, type StoreSet } from '@integration/contracts';
import { moveConnection, assertTransition } from './connection-states';
import { connectionLockKey, connectorFor, logEvent, type AuthContext } from './context';
import { credentialRefOf } from './credential-ref';
import { CompleteInstallInputSchema, IdSchema, type CompleteInstallInput } from './inputs';
import { abandonInstall, assertInstalling, isOverdue, loadInstall } from './install-lifecycle';
import { bindTokenResponse, exchangeCode, oauthSetupFor } from './oauth';
import { leaseFieldsFor, sealSecret, type SecretMap } from './secrets';
import { callbackTokenMatches, constantTimeEqual } from './tokens';

export interface CompleteInstallResult {
  install: Install;
  connection: Connection;
  credentialRef: CredentialRef;
}

const InstallStateSecretSchema = z.object({ v: z.literal(1), state: z.string().min(1), codeVerifier: z.string().min(1).nullable() });

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

    const { secret, expiresAt, scopes, credentialMetadata } = await grantedSecret(ctx, connector, install, input);

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

interface GrantedSecret {
  secret: SecretMap;
  expiresAt: string | null;
  scopes: string[];
  credentialMetadata: Record<string, unknown>;
}

type CompleteInstallAttributes = ReturnType<typeof CompleteInstallInputSchema.parse>;
type Connector = ReturnType<typeof connectorFor>;

/** What the install grants: the provider's token response for OAuth (its state checked first), or the secret given. */
function grantedSecret(ctx: AuthContext, connector: Connector, install: Install, input: CompleteInstallAttributes): Promise<GrantedSecret> | GrantedSecret {
  const { installId } = install;
  if (install.sealedState) return oauthGrant(ctx, connector, install, install.sealedState, input);
  if (input.code !== undefined || input.state !== undefined) {
    throw integrationError('invalid_argument', `install ${installId} is a secret install: code and state do not apply`, { details: { installId } });
  }
  if (!input.secret) {
    throw integrationError('invalid_argument', `install ${installId} needs the secret to store (e.g. { access_token })`, { details: { installId } });
  }
  return { secret: input.secret, expiresAt: input.expiresAt ?? null, scopes: input.grantedScopes ?? install.requestedScopes, credentialMetadata: {} };
}

async function oauthGrant(ctx: AuthContext, connector: Connector, install: Install, sealedState: NonNullable<Install['sealedState']>, input: CompleteInstallAttributes): Promise<GrantedSecret> {
  const { installId } = install;
  if (input.code === undefined || input.state === undefined) {
    throw integrationError('invalid_argument', `install ${installId} is an OAuth install: pass the code and state from the redirect`, { details: { installId } });
  }
  const saved = InstallStateSecretSchema.safeParse(safeJson(ctx.keyRing.open(installId, sealedState)));
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
  return {
    secret: { ...(input.secret ?? {}), ...bound.secret },
    expiresAt: input.expiresAt !== undefined ? input.expiresAt : bound.expiresAt,
    scopes: input.grantedScopes ?? bound.scopes ?? install.requestedScopes,
    credentialMetadata: bound.metadata,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
