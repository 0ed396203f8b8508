import { z } from 'zod';
import {
  ConnectorError,
  IntegrationError,
  IsoTimestampSchema,
  integrationError,
  isoAt,
  type Connection,
  type RefreshOutcome,
  type SealedCredential,
} from '@integration/contracts';
import { assertLeasable, moveConnection } from './connection-states';
import { connectionLockKey, connectorFor, logEvent, type AuthContext } from './context';
import { storeNextCredentialVersion } from './credential-version';
import { bindTokenResponse, oauthSetupFor, refreshTokenGrant } from './oauth';
import { SecretMapSchema, openSecret } from './secrets';

const RefreshOutcomeSchema = z.object({
  secret: z.record(z.string(), z.unknown()).optional(),
  expiresAt: IsoTimestampSchema.nullable().optional(),
  scopes: z.array(z.string().min(1)).optional(),
});

export interface LiveCredential {
  connection: Connection;
  credential: SealedCredential;
}

/** True when the credential has expired or will within the refresh skew. */
export function needsRefresh(ctx: AuthContext, credential: SealedCredential): boolean {
  return credential.expiresAt !== null && Date.parse(credential.expiresAt) - ctx.refreshSkewMs <= ctx.clock.now();
}

function isExpired(ctx: AuthContext, credential: SealedCredential): boolean {
  return credential.expiresAt !== null && Date.parse(credential.expiresAt) <= ctx.clock.now();
}

/** Loads a connection that can serve leases, with its credential, refreshing it first if due. */
export async function loadLive(ctx: AuthContext, connectionId: string): Promise<LiveCredential> {
  const live = await loadChecked(ctx, connectionId);
  if (!needsRefresh(ctx, live.credential)) return live;
  return refreshSingleFlight(ctx, connectionId);
}

async function loadChecked(ctx: AuthContext, connectionId: string): Promise<LiveCredential> {
  const connection = await ctx.stores.auth.fetchConnection(connectionId);
  if (!connection) throw integrationError('unknown_connection', `no connection ${connectionId}`, { details: { connectionId } });
  assertLeasable(connection);
  const credential = connection.credentialRefId ? await ctx.stores.auth.fetchCredential(connection.credentialRefId) : null;
  if (!credential) {
    throw integrationError('unknown_credential', `connection ${connectionId} has no credential`, {
      details: { connectionId, credentialRefId: connection.credentialRefId },
    });
  }
  if (credential.subject !== connection.subject) {
    throw integrationError('credential_subject_mismatch', `credential ${credential.credentialId} does not belong to the subject of connection ${connectionId}`, {
      details: { connectionId, credentialRefId: credential.credentialId },
    });
  }
  return { connection, credential };
}

/**
 * One refresh per connection at a time: concurrent callers in this process share one promise,
 * and the store lock (an advisory lock on Postgres) serialises processes. Whoever gets the lock
 * re-reads the credential and refreshes only if it is still due.
 */
export function refreshSingleFlight(ctx: AuthContext, connectionId: string): Promise<LiveCredential> {
  const inflight = ctx.inflightRefreshes.get(connectionId) as Promise<LiveCredential> | undefined;
  if (inflight) return inflight;
  const promise = ctx.stores.auth
    .withLock(connectionLockKey(connectionId), () => refreshLocked(ctx, connectionId))
    .finally(() => ctx.inflightRefreshes.delete(connectionId));
  ctx.inflightRefreshes.set(connectionId, promise);
  return promise;
}

type Refresher = (signal: AbortSignal) => Promise<RefreshOutcome>;

async function refreshLocked(ctx: AuthContext, connectionId: string): Promise<LiveCredential> {
  const { connection, credential } = await loadChecked(ctx, connectionId);
  if (!needsRefresh(ctx, credential)) return { connection, credential };
  const connector = connectorFor(ctx, connection.connectorId);
  const secret = openSecret(ctx.keyRing, credential);

  let refresher: Refresher | null = null;
  const handler = connector.auth.refresh;
  const setup = oauthSetupFor(ctx, connector);
  if (handler) {
    refresher = (signal) => handler({ connection, secret: { ...secret }, signal });
  } else if (setup && typeof secret.refresh_token === 'string') {
    const refreshToken = secret.refresh_token;
    refresher = async (signal) => {
      const tokens = await refreshTokenGrant(ctx, setup, refreshToken, signal);
      const bound = bindTokenResponse(connector, tokens, ctx.clock.now(), setup.endpoints.scopeSeparator);
      return { secret: bound.secret, expiresAt: bound.expiresAt, ...(bound.scopes ? { scopes: bound.scopes } : {}) };
    };
  }

  if (!refresher) {
    if (!isExpired(ctx, credential)) return { connection, credential };
    await markReauth(ctx, connection, 'credential expired and cannot be refreshed');
    throw integrationError('reauth_required', `the credential of connection ${connectionId} expired and cannot be refreshed; re-install it`, {
      details: { connectionId, reason: 'not_refreshable' },
    });
  }

  let outcome: RefreshOutcome;
  try {
    const raw = RefreshOutcomeSchema.safeParse(await runBounded(refresher, ctx.refreshTimeoutMs));
    const checked = raw.success ? SecretMapSchema.safeParse({ ...secret, ...(raw.data.secret ?? {}) }) : null;
    if (!raw.success || !checked?.success) {
      throw new ConnectorError({ class: 'internal', message: 'refresh handler returned an invalid outcome', retryable: false });
    }
    const expiresAt = raw.data.expiresAt ?? null;
    if (expiresAt !== null && Date.parse(expiresAt) <= ctx.clock.now()) {
      throw new ConnectorError({ class: 'internal', message: 'refresh handler returned an already expired credential', retryable: false });
    }
    outcome = { secret: checked.data, expiresAt, ...(raw.data.scopes ? { scopes: raw.data.scopes } : {}) };
  } catch (error) {
    return handleFailure(ctx, connection, credential, error);
  }

  return storeNextCredentialVersion(
    ctx,
    connection,
    credential,
    { secret: outcome.secret, scopes: outcome.scopes ?? credential.scopes, expiresAt: outcome.expiresAt ?? null },
    { kind: 'refreshed', connection: (at) => ({ lastRefreshedAt: at }) },
  );
}

async function runBounded(refresher: Refresher, timeoutMs: number): Promise<RefreshOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle first, then abort: the handler's own abort rejection must not win the race.
      reject(new ConnectorError({ class: 'timeout', message: `refresh did not finish within ${timeoutMs} ms` }));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([refresher(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function failureLabel(error: unknown): string {
  if (error instanceof ConnectorError) return error.errorClass;
  if (error instanceof IntegrationError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

async function markReauth(ctx: AuthContext, connection: Connection, reason: string): Promise<void> {
  const at = isoAt(ctx.clock.now());
  await ctx.stores.auth.putConnection(moveConnection(connection, 'reauth_required', reason, at));
  logEvent(ctx, 'warn', { event: 'auth.connection.reauth_required', connectionId: connection.connectionId, from: connection.state, to: 'reauth_required', reason }, 'connection needs re-authorisation');
}

/**
 * invalid_grant-class failures (ConnectorError `auth_failed`) → reauth_required; anything else →
 * degraded. A degraded connection whose credential has not yet expired still serves leases.
 */
async function handleFailure(ctx: AuthContext, connection: Connection, credential: SealedCredential, error: unknown): Promise<LiveCredential> {
  const label = failureLabel(error);
  if (error instanceof ConnectorError && error.errorClass === 'auth_failed') {
    await markReauth(ctx, connection, `refresh rejected (${label})`);
    throw integrationError('reauth_required', `the provider rejected the refresh of connection ${connection.connectionId}; re-install it`, {
      details: { connectionId: connection.connectionId, reason: 'refresh_rejected', failure: label },
    });
  }
  const at = isoAt(ctx.clock.now());
  const degraded = moveConnection(connection, 'degraded', `refresh failed (${label})`, at);
  await ctx.stores.auth.putConnection(degraded);
  logEvent(ctx, 'warn', { event: 'auth.connection.degraded', connectionId: connection.connectionId, from: connection.state, to: 'degraded', failure: label }, 'credential refresh failed');
  if (!isExpired(ctx, credential)) return { connection: degraded, credential };
  const retryAfterMs = error instanceof IntegrationError ? error.retryAfterMs : undefined;
  throw integrationError('refresh_failed', `refreshing the credential of connection ${connection.connectionId} failed (${label}); retry later`, {
    details: { connectionId: connection.connectionId, failure: label },
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
