import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BASE_TIME,
  DEFAULT_NOW,
  FAKE_GITHUB_LOGIN,
  FAKE_GITHUB_TOKEN,
  createFakeRestApi,
  defaultFakeRepos,
  errorReply as error,
  type FakeRepoSeed,
  type Reply,
} from './fake-github-api';
import { createFakeOAuth, type FakeOAuthApp } from './fake-github-oauth';

export type { FakeIssueSeed, FakeLabelSeed, FakeRepoSeed } from './fake-github-api';
export type { FakeOAuthApp } from './fake-github-oauth';
export { defaultFakeRepos, FAKE_GITHUB_LOGIN, FAKE_GITHUB_TOKEN } from './fake-github-api';

/**
 * A local GitHub REST API on 127.0.0.1 for offline tests: real paths, methods, status codes,
 * headers and response bodies shaped like api.github.com's, driven by the real octokit client.
 * State is deterministic: ids and timestamps derive from content and a fixed clock, and creating
 * the same issue or comment twice (same author, title/body) returns the existing one, so a fixture
 * replayed twice yields identical results.
 */

export interface RecordedRequest {
  method: string;
  /** Path without the prefix and query, e.g. `/repos/octo-org/widgets/issues`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (for timeout tests). */
  delayMs?: number;
}

export interface FakeMatcher {
  method?: string;
  path?: string | RegExp;
}

export interface FakeGitHubOptions {
  /** Accepted tokens and the login each authenticates as. */
  tokens?: Record<string, string>;
  /** Accept any non-empty token as `defaultLogin` (conformance runs add canary tokens). */
  acceptAnyToken?: boolean;
  defaultLogin?: string;
  repos?: FakeRepoSeed[];
  /** Serve under a path prefix, like GitHub Enterprise Server's `/api/v3`. */
  pathPrefix?: string;
  /** OAuth apps for the web flow at `/login/oauth/authorize` and `/login/oauth/access_token`. */
  oauthApps?: FakeOAuthApp[];
  /** The fixed instant used for `updated_at`/`closed_at` of changes (ISO, seconds precision). */
  now?: string;
}

export interface FakeGitHub {
  /** The octokit `baseUrl`, e.g. `http://127.0.0.1:40123`. */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Answer the next request that matches with this response instead of the simulated API. */
  respondOnce(matcher: FakeMatcher, response: FakeResponse): void;
  issue(repo: string, number: number): Record<string, unknown> | undefined;
  clearRequests(): void;
  /** Invalidate every issued refresh token (GitHub then answers `bad_refresh_token`). */
  revokeRefreshTokens(): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const tokens: Record<string, string> = { ...(options.tokens ?? { [FAKE_GITHUB_TOKEN]: FAKE_GITHUB_LOGIN }) };
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const now = options.now ?? DEFAULT_NOW;
  const requests: RecordedRequest[] = [];
  const overrides: Array<{ matcher: FakeMatcher; response: FakeResponse }> = [];

  let origin = '';
  const api = () => `${origin}${prefix}`;
  const web = () => (prefix ? origin : 'https://github.com');
  const rest = createFakeRestApi({ repos: options.repos ?? defaultFakeRepos(), now, api, web });
  const oauth = createFakeOAuth(options.oauthApps ?? [], tokens, options.defaultLogin ?? FAKE_GITHUB_LOGIN);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, '', { status: 500, body: { message: `fake github: ${String(err)}` } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    let path = url.pathname;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    let body: unknown = null;
    if (raw.length > 0 && /application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? '')) body = raw;
    else if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const oauthReply = oauth.handle(req.method ?? 'GET', path, Object.fromEntries(url.searchParams), body, headers);
    if (oauthReply) {
      requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), headers, body });
      return send(res, '', oauthReply);
    }
    if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length) || '/';
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), headers, body };
    requests.push(recorded);
    const requestId = requestIdFor(recorded.method, req.url ?? '/', raw);

    const index = overrides.findIndex(({ matcher }) => matches(matcher, recorded));
    if (index >= 0) {
      const { response } = overrides.splice(index, 1)[0]!;
      if (response.delayMs) {
        const closed = await waitOrClose(res, response.delayMs);
        if (closed) return;
      }
      send(res, requestId, { status: response.status, body: response.body, headers: response.headers ?? {} });
      return;
    }
    if (typeof body === 'string') return send(res, requestId, error(400, 'Problems parsing JSON'));
    const authorization = headers.authorization ?? '';
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization);
    if (!auth) return send(res, requestId, error(401, 'Requires authentication'));
    const login = tokens[auth[1]!] ?? (options.acceptAnyToken ? options.defaultLogin ?? FAKE_GITHUB_LOGIN : undefined);
    if (!login) return send(res, requestId, error(401, 'Bad credentials'));
    send(res, requestId, rest.route(recorded.method, path, recorded.query, body, login), headers['x-github-api-version']);
  }

  function send(res: ServerResponse, requestId: string, reply: Reply, apiVersion?: string): void {
    const json = !reply.headers?.['content-type'] || /json/i.test(reply.headers['content-type']);
    const text = reply.body === undefined ? '' : json || typeof reply.body !== 'string' ? JSON.stringify(reply.body) : reply.body;
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': apiVersion || '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': requestId,
      'x-oauth-scopes': 'repo',
      'x-accepted-oauth-scopes': 'repo',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(BASE_TIME / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      ...(reply.headers ?? {}),
    });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${origin}${prefix}`,
    requests,
    respondOnce(matcher, response) {
      overrides.push({ matcher, response });
    },
    issue: (fullName, number) => rest.issue(fullName, number),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    clearRequests() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function matches(matcher: FakeMatcher, request: RecordedRequest): boolean {
  if (matcher.method && matcher.method.toUpperCase() !== request.method) return false;
  if (matcher.path === undefined) return true;
  return typeof matcher.path === 'string' ? matcher.path === request.path : matcher.path.test(request.path);
}

function requestIdFor(method: string, url: string, body: string): string {
  const hex = createHash('sha256').update(`${method} ${url} ${body}`).digest('hex').toUpperCase();
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 14)}:${hex.slice(14, 20)}:${hex.slice(20, 28)}`;
}

function waitOrClose(res: ServerResponse, delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(false);
    }, delayMs);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    res.once('close', onClose);
  });
}
