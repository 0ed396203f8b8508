import { createHash, randomBytes } from 'node:crypto';
import type { Reply } from './fake-github-api';

/** An OAuth app registered with the fake; authorizations are auto-approved as `login`. */
export interface FakeOAuthApp {
  clientId: string;
  clientSecret?: string;
  login?: string;
  /** Issue expiring user tokens with refresh tokens, like a GitHub App (8 h / 6 months). */
  expiringTokens?: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string | null;
  scope: string;
  login: string;
  codeChallenge: string | null;
}

const ERROR_URI = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

/**
 * GitHub's web OAuth flow: `GET /login/oauth/authorize` (redirects back with `code` and `state`)
 * and `POST /login/oauth/access_token` (form or JSON; answers JSON when asked, form otherwise, and
 * reports errors as 200 with an `error` field, as GitHub does). Issued tokens authenticate API calls.
 */
export function createFakeOAuth(apps: FakeOAuthApp[], tokens: Record<string, string>, defaultLogin: string) {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, { clientId: string; login: string; scope: string }>();

  function issue(app: FakeOAuthApp, login: string, scope: string): Record<string, string | number> {
    const token = `${app.expiringTokens ? 'ghu' : 'gho'}_${randomBytes(18).toString('hex')}`;
    tokens[token] = login;
    if (!app.expiringTokens) return { access_token: token, token_type: 'bearer', scope };
    const refresh = `ghr_${randomBytes(30).toString('hex')}`;
    refreshTokens.set(refresh, { clientId: app.clientId, login, scope });
    return { access_token: token, expires_in: 28_800, refresh_token: refresh, refresh_token_expires_in: 15_811_200, token_type: 'bearer', scope };
  }

  function authorize(query: Record<string, string>): Reply {
    const app = apps.find((a) => a.clientId === query.client_id);
    if (!app) return { status: 404, body: 'Not Found', headers: { 'content-type': 'text/html; charset=utf-8' } };
    const redirect = query.redirect_uri;
    if (!redirect) return { status: 400, body: 'redirect_uri is required by this fake', headers: { 'content-type': 'text/plain' } };
    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      clientId: app.clientId,
      redirectUri: redirect,
      scope: (query.scope ?? '').split(/[\s,]+/).filter(Boolean).join(','),
      login: app.login ?? defaultLogin,
      codeChallenge: query.code_challenge_method === 'S256' ? (query.code_challenge ?? null) : null,
    });
    const location = new URL(redirect);
    location.searchParams.set('code', code);
    if (query.state) location.searchParams.set('state', query.state);
    return { status: 302, headers: { location: location.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' };
  }

  function accessToken(params: Record<string, string>, accept: string): Reply {
    const fail = (error: string, description: string) => respond({ error, error_description: description, error_uri: ERROR_URI });
    const respond = (fields: Record<string, string | number>): Reply =>
      accept.includes('application/json')
        ? { status: 200, body: fields }
        : {
            status: 200,
            body: new URLSearchParams(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))).toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          };
    const app = apps.find((a) => a.clientId === params.client_id);
    if (!app || (app.clientSecret !== undefined && params.client_secret !== app.clientSecret)) {
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    if (params.grant_type === 'refresh_token') {
      const grant = params.refresh_token ? refreshTokens.get(params.refresh_token) : undefined;
      if (!grant || grant.clientId !== app.clientId) return fail('bad_refresh_token', 'The refresh token passed is incorrect or expired.');
      refreshTokens.delete(params.refresh_token!); // GitHub rotates refresh tokens: each is single-use
      return respond(issue(app, grant.login, grant.scope));
    }
    const pending = params.code ? codes.get(params.code) : undefined;
    if (!pending || pending.clientId !== app.clientId) return fail('bad_verification_code', 'The code passed is incorrect or expired.');
    codes.delete(params.code!);
    if (params.redirect_uri && pending.redirectUri && params.redirect_uri !== pending.redirectUri) {
      return fail('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
    }
    if (pending.codeChallenge !== null) {
      const verifier = params.code_verifier ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) {
        return fail('bad_verification_code', 'The code passed is incorrect or expired.');
      }
    }
    return respond(issue(app, pending.login, pending.scope));
  }

  return {
    /** Forget every refresh token (as when a user revokes the app or the 6-month lifetime ends). */
    revokeRefreshTokens(): void {
      refreshTokens.clear();
    },
    /** Null when the path is not an OAuth endpoint. */
    handle(method: string, path: string, query: Record<string, string>, body: unknown, headers: Record<string, string>): Reply | null {
      if (path === '/login/oauth/authorize' && method === 'GET') return authorize(query);
      if (path === '/login/oauth/access_token' && method === 'POST') {
        const params: Record<string, string> =
          typeof body === 'string'
            ? Object.fromEntries(new URLSearchParams(body))
            : body && typeof body === 'object'
              ? Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
              : {};
        return accessToken({ ...query, ...params }, headers.accept ?? '');
      }
      return null;
    },
  };
}
