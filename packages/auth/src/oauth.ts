import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import {
  ConnectorError,
  IsoTimestampSchema,
  integrationError,
  isoAt,
  KnownSecrets,
  redact,
  secretValuesOf,
  type ConnectorDefinition,
  type OAuthEndpoints,
} from '@integration/contracts';
import type { AuthContext } from './context';
import type { OAuthClient } from './options';
import { SecretMapSchema, type SecretMap } from './secrets';

/** A connector's OAuth endpoints together with this deployment's client registration. */
export interface OAuthSetup {
  endpoints: OAuthEndpoints;
  client: OAuthClient;
}

export function oauthSetupFor(ctx: AuthContext, connector: ConnectorDefinition): OAuthSetup | null {
  const endpoints = connector.auth.oauth;
  const client = ctx.oauthClients[connector.id];
  if (connector.auth.type !== 'oauth2' || !endpoints || !client) return null;
  return { endpoints, client };
}

export interface AuthorizationRequest {
  authorizationUrl: string;
  /** Install-time secrets, sealed on the install. */
  codeVerifier: string | null;
  state: string;
}

/** Builds the authorization URL: response_type=code, state and (unless disabled) PKCE S256. */
export async function buildAuthorizationRequest(setup: OAuthSetup, scopes: readonly string[]): Promise<AuthorizationRequest> {
  const state = oauth.generateRandomState();
  const codeVerifier = setup.endpoints.pkce ? oauth.generateRandomCodeVerifier() : null;
  const url = new URL(setup.endpoints.authorizationUrl);
  for (const [key, value] of Object.entries(setup.endpoints.extraAuthorizeParams)) url.searchParams.set(key, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', setup.client.clientId);
  url.searchParams.set('redirect_uri', setup.client.redirectUri);
  if (setup.endpoints.sendScope && scopes.length > 0) url.searchParams.set('scope', scopes.join(setup.endpoints.scopeSeparator));
  url.searchParams.set('state', state);
  if (codeVerifier) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { authorizationUrl: url.toString(), codeVerifier, state };
}

function authorizationServer(endpoints: OAuthEndpoints): oauth.AuthorizationServer {
  return {
    issuer: new URL(endpoints.tokenUrl).origin,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
    ...(endpoints.revocationUrl ? { revocation_endpoint: endpoints.revocationUrl } : {}),
  };
}

function clientAuth(setup: OAuthSetup): oauth.ClientAuth {
  const secret = setup.client.clientSecret;
  if (!secret) return oauth.None();
  return setup.endpoints.tokenAuthMethod === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function requestOptions(ctx: AuthContext, endpoints: OAuthEndpoints, signal: AbortSignal, target: string = endpoints.tokenUrl): oauth.TokenEndpointRequestOptions {
  const url = new URL(target);
  return {
    signal,
    [oauth.customFetch]: (input: string, init: RequestInit) => ctx.fetch(input, init),
    // Plain HTTP only towards loopback (local development and tests); everything else needs TLS.
    ...(url.protocol === 'http:' && loopbackHosts.has(url.hostname) ? { [oauth.allowInsecureRequests]: true } : {}),
  } as oauth.TokenEndpointRequestOptions;
}

/** What a token-endpoint failure looked like, without any secret (never the body itself). */
export interface TokenEndpointFailure {
  oauthError: string | null;
  httpStatus: number | null;
  kind: 'oauth_error' | 'invalid_response' | 'network';
  retryable: boolean;
}

export function describeTokenFailure(error: unknown): TokenEndpointFailure {
  if (error instanceof oauth.ResponseBodyError) {
    const retryable = error.status >= 500 || error.status === 429 || error.error === 'temporarily_unavailable';
    return { oauthError: error.error, httpStatus: error.status, kind: 'oauth_error', retryable };
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenged = error.cause.map((c) => c.parameters.error).find((e): e is string => typeof e === 'string') ?? null;
    return { oauthError: challenged, httpStatus: error.status, kind: 'oauth_error', retryable: false };
  }
  if (error instanceof oauth.OperationProcessingError) {
    // Some providers (GitHub) answer errors with HTTP 200 and an OAuth error body.
    const body = (error.cause as { body?: { error?: unknown } } | undefined)?.body;
    if (typeof body?.error === 'string') return { oauthError: body.error, httpStatus: 200, kind: 'oauth_error', retryable: false };
    const status = error.cause instanceof Response ? error.cause.status : null;
    const retryable = status !== null && (status >= 500 || status === 429);
    return { oauthError: null, httpStatus: status, kind: 'invalid_response', retryable };
  }
  return { oauthError: null, httpStatus: null, kind: 'network', retryable: true };
}

/** Exchanges an authorization code (with its PKCE verifier) at the token endpoint. */
export async function exchangeCode(
  ctx: AuthContext,
  setup: OAuthSetup,
  input: { code: string; state: string; codeVerifier: string | null },
): Promise<oauth.TokenEndpointResponse> {
  const as = authorizationServer(setup.endpoints);
  const client: oauth.Client = { client_id: setup.client.clientId };
  try {
    const params = oauth.validateAuthResponse(as, client, new URLSearchParams({ code: input.code, state: input.state }), oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(setup),
      params,
      setup.client.redirectUri,
      input.codeVerifier ?? oauth.nopkce,
      requestOptions(ctx, setup.endpoints, AbortSignal.timeout(ctx.httpTimeoutMs)),
    );
    return await oauth.processAuthorizationCodeResponse(as, client, response);
  } catch (error) {
    const failure = describeTokenFailure(error);
    throw integrationError('oauth_exchange_failed', `authorization code exchange failed (${failure.oauthError ?? failure.kind})`, {
      details: { ...failure },
      retryable: failure.retryable,
    });
  }
}

/**
 * The standard refresh_token grant. An OAuth error the connector lists in `deadGrantErrors` (default
 * `invalid_grant`) becomes a ConnectorError of class `auth_failed` (→ reauth_required); anything
 * else is `unavailable`.
 */
export async function refreshTokenGrant(
  ctx: AuthContext,
  setup: OAuthSetup,
  refreshToken: string,
  signal: AbortSignal,
): Promise<oauth.TokenEndpointResponse> {
  const as = authorizationServer(setup.endpoints);
  const client: oauth.Client = { client_id: setup.client.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth(setup), refreshToken, requestOptions(ctx, setup.endpoints, signal));
    return await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    const failure = describeTokenFailure(error);
    const grantDead = failure.oauthError !== null && failure.oauthError !== undefined && setup.endpoints.deadGrantErrors.includes(failure.oauthError);
    throw new ConnectorError({
      class: grantDead ? 'auth_failed' : 'unavailable',
      message: `refresh_token grant failed (${failure.oauthError ?? failure.kind})`,
      ...(failure.oauthError ? { providerCode: `oauth.${failure.oauthError}` } : {}),
      retryable: !grantDead && failure.retryable,
      upstream: { ...(failure.httpStatus === null ? {} : { httpStatus: failure.httpStatus }), kind: failure.kind },
    });
  }
}

/** Ten years: a larger `expires_in` is treated as this (and keeps timestamps representable). */
const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600;

const BoundTokensSchema = z.object({
  secret: SecretMapSchema,
  expiresAt: IsoTimestampSchema.nullable().optional(),
  scopes: z.array(z.string().min(1)).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type ProviderRevocation = 'revoked' | 'failed' | 'not_supported';

/**
 * RFC 7009 revocation at the provider (best effort, after the local wipe): the refresh token if
 * there is one (which revokes the grant), else the access token. Never throws.
 */
export async function revokeAtProvider(ctx: AuthContext, setup: OAuthSetup | null, secret: SecretMap): Promise<ProviderRevocation> {
  const revocationUrl = setup?.endpoints.revocationUrl;
  const [hint, token] = secret.refresh_token ? ['refresh_token', secret.refresh_token] : ['access_token', secret.access_token];
  if (!setup || !revocationUrl || !token) return 'not_supported';
  const as = authorizationServer(setup.endpoints);
  const client: oauth.Client = { client_id: setup.client.clientId };
  try {
    const response = await oauth.revocationRequest(as, client, clientAuth(setup), token, {
      ...requestOptions(ctx, setup.endpoints, AbortSignal.timeout(ctx.httpTimeoutMs), revocationUrl),
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
    return 'revoked';
  } catch {
    return 'failed';
  }
}

export interface BoundTokens {
  secret: SecretMap;
  expiresAt: string | null;
  scopes: string[] | null;
  metadata: Record<string, unknown>;
}

/**
 * The default install binding: keeps `access_token` and `refresh_token` (never leased), the expiry
 * from `expires_in`, and the granted `scope`. A connector's `installBinding` replaces it.
 */
/** The token response's secrets (RFC 6749 §5.1, OIDC): its tokens; scopes, types and expiries are not. */
const tokenValuesOf = (response: oauth.TokenEndpointResponse): string[] =>
  [response.access_token, response.refresh_token, response.id_token].filter((v): v is string => typeof v === 'string');

export function bindTokenResponse(
  connector: ConnectorDefinition,
  response: oauth.TokenEndpointResponse,
  nowMs: number,
  separator: string,
): BoundTokens {
  if (connector.auth.installBinding) {
    const bound = BoundTokensSchema.safeParse(connector.auth.installBinding({ ...response }, { now: nowMs }));
    if (!bound.success) {
      throw integrationError('oauth_exchange_failed', `connector ${connector.id}'s installBinding returned an invalid result`, {
        details: { connectorId: connector.id, reason: 'install_binding_invalid', issues: bound.error.issues.map((i) => i.path.join('.')) },
        retryable: false,
      });
    }
    return {
      secret: bound.data.secret,
      expiresAt: bound.data.expiresAt ?? null,
      scopes: bound.data.scopes ?? null,
      // Durable: whatever the binding copied of the tokens, their values never reach the record.
      metadata: redact(bound.data.metadata ?? {}, { secrets: KnownSecrets.of(secretValuesOf(bound.data.secret), tokenValuesOf(response)) }),
    };
  }
  const secret: SecretMap = { access_token: response.access_token };
  if (typeof response.refresh_token === 'string') secret.refresh_token = response.refresh_token;
  const expiresIn = typeof response.expires_in === 'number' && Number.isFinite(response.expires_in) ? Math.min(Math.max(response.expires_in, 0), MAX_EXPIRES_IN_SECONDS) : null;
  const expiresAt = expiresIn === null ? null : isoAt(nowMs + Math.round(expiresIn * 1000));
  const scopes = typeof response.scope === 'string' ? response.scope.split(separator === ' ' ? /\s+/ : separator).filter(Boolean) : null;
  return { secret, expiresAt, scopes, metadata: { tokenType: response.token_type } };
}
