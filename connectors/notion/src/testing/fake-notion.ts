import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fakeIds,
  FAKE_WORKSPACE_NAME,
  seedBlocks,
  seedDatabases,
  seedDataSources,
  seedPages,
  stableUuid,
  type DatabaseRecord,
  type DataSourceRecord,
  type Json,
  type JsonObject,
  type PageRecord,
} from './fake-notion-data';
import { FakeValidationError } from './fake-notion-query';
import { NotionHttpError, normalizeId, pageObject, routes, type State } from './fake-notion-routes';

/** One request as the fake Notion API received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/pages/…`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
}

/** A scripted failure answered instead of the next matching request. */
export interface ScriptedFailure {
  method?: string;
  path?: string | RegExp;
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  /** Answer with this raw body instead of a Notion error object. */
  rawBody?: string;
}

export interface FakeNotionOptions {
  /** Bearer tokens the fake accepts (default: `['secret_fake_notion_token']`). */
  tokens?: string[];
  /** Accept any non-empty bearer token (conformance runs with canary tokens). */
  acceptAnyToken?: boolean;
  /** The fake's clock for writes (ISO); default `2026-01-15T12:00:00.000Z`. */
  now?: string;
  /** OAuth client the token endpoint accepts (Basic auth). */
  oauthClient?: { clientId: string; clientSecret: string };
  /** Records added to the seeded workspace (a test's own databases, data sources and pages). */
  extraSeed?: { databases?: DatabaseRecord[]; dataSources?: DataSourceRecord[]; pages?: PageRecord[] };
}

export interface FakeNotion {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  readonly ids: typeof fakeIds;
  /** Answer the next request matching `failure.method`/`failure.path` with an error. */
  failNext(failure: ScriptedFailure): void;
  setNow(iso: string): void;
  /** Mark a page edited at `iso` (moves it in search order). */
  touchPage(pageId: string, iso: string): void;
  page(pageId: string): JsonObject | null;
  clearRequests(): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_TOKEN = 'secret_fake_notion_token';
const SUPPORTED_VERSIONS = new Set(['2022-06-28', '2025-09-03']);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: Json | string, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function errorBody(status: number, code: string, message: string): JsonObject {
  return { object: 'error', status, code, message, request_id: stableUuid('error', code, message) };
}

/**
 * Starts a local HTTP server on 127.0.0.1 that speaks Notion's REST wire format (paths, methods,
 * `Authorization: Bearer`, `Notion-Version`, list envelopes, error objects) over a small seeded
 * workspace. Point the real `@notionhq/client` at `baseUrl`.
 */
export async function startFakeNotion(options: FakeNotionOptions = {}): Promise<FakeNotion> {
  const tokens = new Set(options.tokens ?? [DEFAULT_FAKE_TOKEN]);
  const restricted = new Set<string>([fakeIds.restrictedPage]);
  const state: State = {
    now: options.now ?? '2026-01-15T12:00:00.000Z',
    dataSources: new Map([...seedDataSources(), ...(options.extraSeed?.dataSources ?? [])].map((s) => [s.id, s])),
    databases: new Map([...seedDatabases(), ...(options.extraSeed?.databases ?? [])].map((d) => [d.id, d])),
    pages: new Map([...seedPages(), ...(options.extraSeed?.pages ?? [])].map((p) => [p.id, p])),
    blocks: new Map(seedBlocks().map((b) => [b.id, b])),
    comments: new Map(),
  };
  const table = routes(restricted);
  const requests: RecordedRequest[] = [];
  const failures: ScriptedFailure[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    let body: Record<string, unknown> | null = null;
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (text.length > 0 && form) body = Object.fromEntries(new URLSearchParams(text));
    else if (text.length > 0) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return send(res, 400, errorBody(400, 'invalid_json', 'Error parsing JSON body.'));
      }
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const method = (req.method ?? 'GET').toUpperCase();
    requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });

    const failureIndex = failures.findIndex(
      (f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname))),
    );
    if (failureIndex >= 0) {
      const [failure] = failures.splice(failureIndex, 1);
      return send(res, failure!.status, failure!.rawBody ?? errorBody(failure!.status, failure!.code, failure!.message), failure!.headers);
    }

    if (url.pathname === '/v1/oauth/token' && method === 'POST') return oauthToken(res, headers, body ?? {});

    const version = headers['notion-version'];
    if (!version) {
      return send(res, 400, errorBody(400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.'));
    }
    if (!SUPPORTED_VERSIONS.has(version)) return send(res, 400, errorBody(400, 'validation_error', `Notion-Version header failed validation: unsupported version ${version}.`));
    const auth = headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!token || (!options.acceptAnyToken && !tokens.has(token))) return send(res, 401, errorBody(401, 'unauthorized', 'API token is invalid.'));

    for (const [routeMethod, pattern, handler] of table) {
      const match = routeMethod === method ? pattern.exec(url.pathname) : null;
      if (!match) continue;
      if (url.pathname.startsWith('/v1/data_sources') && version < '2025-09-03') {
        return send(res, 400, errorBody(400, 'invalid_request_url', 'Invalid request URL.'));
      }
      try {
        return send(res, 200, handler(state, match.slice(1).map(decodeURIComponent), body ?? {}, Object.fromEntries(url.searchParams)));
      } catch (error) {
        if (error instanceof NotionHttpError) return send(res, error.status, errorBody(error.status, error.code, error.message));
        if (error instanceof FakeValidationError) return send(res, 400, errorBody(400, 'validation_error', error.message));
        throw error;
      }
    }
    return send(res, 400, errorBody(400, 'invalid_request_url', 'Invalid request URL.'));
  };

  const oauthToken = (res: ServerResponse, headers: Record<string, string>, body: Record<string, unknown>): void => {
    const client = options.oauthClient;
    // RFC 6749 §2.3.1: client id and secret are form-encoded before the Basic base64 step.
    const basic = /^Basic (.+)$/.exec(headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' '))) : [];
    if (!client || id !== client.clientId || secret !== client.clientSecret) return send(res, 401, { error: 'invalid_client' });
    if (body.grant_type === 'authorization_code' && typeof body.code === 'string' && body.code.length > 0) {
      const accessToken = `secret_oauth_${stableUuid('token', body.code).replace(/-/g, '')}`;
      tokens.add(accessToken);
      return send(res, 200, {
        access_token: accessToken,
        token_type: 'bearer',
        refresh_token: `nrt_${stableUuid('refresh', body.code).replace(/-/g, '')}`,
        bot_id: fakeIds.bot,
        workspace_id: stableUuid('workspace'),
        workspace_name: FAKE_WORKSPACE_NAME,
        workspace_icon: null,
        owner: { type: 'workspace', workspace: true },
        duplicated_template_id: null,
        request_id: stableUuid('oauth', body.code),
      });
    }
    return send(res, 400, { error: 'invalid_grant' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, errorBody(500, 'internal_server_error', error instanceof Error ? error.message : 'Unexpected error.'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    ids: fakeIds,
    failNext: (failure) => void failures.push(failure),
    setNow: (iso) => void (state.now = iso),
    touchPage: (pageId, iso) => {
      const page = state.pages.get(normalizeId(pageId));
      if (page) state.pages.set(page.id, { ...page, lastEditedTime: iso });
    },
    page: (pageId) => {
      const page = state.pages.get(normalizeId(pageId));
      return page ? pageObject(state, page) : null;
    },
    clearRequests: () => void requests.splice(0, requests.length),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
