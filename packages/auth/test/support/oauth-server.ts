import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small RFC 6749 authorization server on 127.0.0.1: /authorize issues codes bound to the PKCE
 * S256 challenge; /token answers authorization_code and refresh_token grants with RFC 6749 §5.1
 * JSON, or §5.2 errors. Behaviour switches let tests force failures.
 */
export interface OAuthTestServer {
  url: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  /** RFC 7009 requests received: token type hints (never the tokens). */
  revocations: Array<{ hint: string | null; known: boolean }>;
  /** Answer revocation requests with 503. */
  revocationDown: boolean;
  clientId: string;
  clientSecret: string;
  /** Grant counts by grant_type. */
  grants: Record<string, number>;
  /** Every token request's form body. */
  tokenRequests: URLSearchParams[];
  /** `ok` | `invalid_grant` | `unavailable` (503) for the next refresh grants. */
  refreshMode: 'ok' | 'invalid_grant' | 'unavailable';
  accessTokenTtlSeconds: number;
  /** Follows the authorization URL like a consenting user; returns the redirect's code and state. */
  approve(authorizationUrl: string): Promise<{ code: string; state: string; redirect: URL }>;
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  method: string | null;
  scope: string;
  used: boolean;
}

export async function startOAuthServer(options: { clientId?: string; clientSecret?: string; tokenPrefix?: string } = {}): Promise<OAuthTestServer> {
  const clientId = options.clientId ?? 'client-123';
  const clientSecret = options.clientSecret ?? 'client-secret-xyz';
  const prefix = options.tokenPrefix ?? 'tok';
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, string>();
  const state: Pick<OAuthTestServer, 'grants' | 'tokenRequests' | 'refreshMode' | 'accessTokenTtlSeconds' | 'revocations' | 'revocationDown'> = {
    revocations: [],
    revocationDown: false,
    grants: {},
    tokenRequests: [],
    refreshMode: 'ok',
    accessTokenTtlSeconds: 3600,
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' });
    res.end(JSON.stringify(body));
  };
  const oauthError = (res: ServerResponse, status: number, error: string) => json(res, status, { error, error_description: `test server: ${error}` });

  const clientAuthenticated = (req: IncomingMessage, form: URLSearchParams): boolean => {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent);
      return id === clientId && secret === clientSecret;
    }
    return form.get('client_id') === clientId && form.get('client_secret') === clientSecret;
  };

  const issueTokens = (scope: string) => {
    const accessToken = `${prefix}-access-${randomBytes(12).toString('hex')}`;
    const refreshToken = `${prefix}-refresh-${randomBytes(12).toString('hex')}`;
    refreshTokens.set(refreshToken, scope);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: state.accessTokenTtlSeconds, refresh_token: refreshToken, scope };
  };

  const handleToken = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.headers['content-type']?.split(';')[0] !== 'application/x-www-form-urlencoded') return oauthError(res, 400, 'invalid_request');
    const form = new URLSearchParams(body);
    state.tokenRequests.push(form);
    const grantType = form.get('grant_type') ?? '';
    state.grants[grantType] = (state.grants[grantType] ?? 0) + 1;
    if (!clientAuthenticated(req, form)) return oauthError(res, 401, 'invalid_client');
    if (grantType === 'authorization_code') {
      const issued = codes.get(form.get('code') ?? '');
      if (!issued || issued.used) return oauthError(res, 400, 'invalid_grant');
      issued.used = true;
      if (issued.redirectUri !== form.get('redirect_uri')) return oauthError(res, 400, 'invalid_grant');
      if (issued.challenge !== null) {
        const verifier = form.get('code_verifier') ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (issued.method !== 'S256' || computed !== issued.challenge) return oauthError(res, 400, 'invalid_grant');
      }
      return json(res, 200, issueTokens(issued.scope));
    }
    if (grantType === 'refresh_token') {
      if (state.refreshMode === 'unavailable') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        return res.end('maintenance');
      }
      const token = form.get('refresh_token') ?? '';
      const scope = refreshTokens.get(token);
      if (state.refreshMode === 'invalid_grant' || scope === undefined) return oauthError(res, 400, 'invalid_grant');
      refreshTokens.delete(token);
      return json(res, 200, issueTokens(scope));
    }
    return oauthError(res, 400, 'unsupported_grant_type');
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('response_type') !== 'code' || q.get('client_id') !== clientId || !q.get('redirect_uri') || !q.get('state')) {
        return oauthError(res, 400, 'invalid_request');
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        clientId,
        redirectUri: q.get('redirect_uri')!,
        challenge: q.get('code_challenge'),
        method: q.get('code_challenge_method'),
        scope: q.get('scope') ?? '',
        used: false,
      });
      const redirect = new URL(q.get('redirect_uri')!);
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: redirect.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/revoke') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (!clientAuthenticated(req, form)) return oauthError(res, 401, 'invalid_client');
        if (state.revocationDown) {
          res.writeHead(503);
          return res.end();
        }
        const token = form.get('token') ?? '';
        state.revocations.push({ hint: form.get('token_type_hint'), known: refreshTokens.has(token) });
        refreshTokens.delete(token);
        res.writeHead(200);
        res.end();
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handleToken(req, res, Buffer.concat(chunks).toString('utf8')));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const api: OAuthTestServer = {
    url: base,
    authorizationUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    revocationUrl: `${base}/revoke`,
    get revocations() {
      return state.revocations;
    },
    get revocationDown() {
      return state.revocationDown;
    },
    set revocationDown(down) {
      state.revocationDown = down;
    },
    clientId,
    clientSecret,
    get grants() {
      return state.grants;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    get refreshMode() {
      return state.refreshMode;
    },
    set refreshMode(mode) {
      state.refreshMode = mode;
    },
    get accessTokenTtlSeconds() {
      return state.accessTokenTtlSeconds;
    },
    set accessTokenTtlSeconds(ttl) {
      state.accessTokenTtlSeconds = ttl;
    },
    async approve(authorizationUrl) {
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      if (response.status !== 302) throw new Error(`authorize answered ${response.status}`);
      const redirect = new URL(response.headers.get('location')!);
      return { code: redirect.searchParams.get('code')!, state: redirect.searchParams.get('state')!, redirect };
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  return api;
}
