import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  botUser,
  fakeIds,
  FAKE_WORKSPACE_NAME,
  partialUser,
  propertyValue,
  richTextResponse,
  seedBlocks,
  seedDatabases,
  seedDataSources,
  seedPages,
  stableUuid,
  type BlockRecord,
  type CommentRecord,
  type DatabaseRecord,
  type DataSourceRecord,
  type Json,
  type JsonObject,
  type PageRecord,
} from './fake-notion-data';
import { FakeValidationError, findProperty, matchesFilter, paginate, sortPages } from './fake-notion-query';

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

class NotionHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (id: string) =>
  new NotionHttpError(404, 'object_not_found', `Could not find object with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);

interface State {
  now: string;
  dataSources: Map<string, DataSourceRecord>;
  databases: Map<string, DatabaseRecord>;
  pages: Map<string, PageRecord>;
  blocks: Map<string, BlockRecord>;
  comments: Map<string, CommentRecord>;
}

const normalizeId = (id: string) => {
  const hex = id.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : id;
};

function pageObject(state: State, page: PageRecord): JsonObject {
  return {
    object: 'page',
    id: page.id,
    created_time: page.createdTime,
    last_edited_time: page.lastEditedTime,
    created_by: partialUser(fakeIds.person),
    last_edited_by: partialUser(fakeIds.bot),
    cover: page.cover,
    icon: page.icon,
    parent: page.parent,
    archived: page.inTrash,
    in_trash: page.inTrash,
    is_locked: page.isLocked,
    properties: page.properties,
    url: `https://www.notion.so/${page.id.replace(/-/g, '')}`,
    public_url: null,
    request_id: stableUuid('request', page.id, state.now),
  };
}

function dataSourceObject(source: DataSourceRecord): JsonObject {
  return {
    object: 'data_source',
    id: source.id,
    created_time: '2026-01-01T00:00:00.000Z',
    last_edited_time: '2026-01-01T00:00:00.000Z',
    created_by: partialUser(fakeIds.person),
    last_edited_by: partialUser(fakeIds.person),
    title: richTextResponse([{ text: { content: source.title } }]),
    description: [],
    icon: null,
    cover: null,
    parent: { type: 'database_id', database_id: source.databaseId },
    database_parent: { type: 'workspace', workspace: true },
    is_inline: false,
    archived: false,
    in_trash: false,
    url: `https://www.notion.so/${source.databaseId.replace(/-/g, '')}`,
    public_url: null,
    properties: Object.fromEntries(source.properties.map((p) => [p.name, { id: p.id, name: p.name, description: null, type: p.type, [p.type]: p.config ?? {} }])),
  };
}

function blockObject(block: BlockRecord): JsonObject {
  return {
    object: 'block',
    id: block.id,
    parent: { type: block.parentType, [block.parentType]: block.parentId },
    created_time: block.createdTime,
    last_edited_time: block.createdTime,
    created_by: partialUser(fakeIds.bot),
    last_edited_by: partialUser(fakeIds.bot),
    has_children: false,
    archived: false,
    in_trash: false,
    type: block.type,
    [block.type]: block.content,
  };
}

function listObject(results: Json[], nextCursor: string | null, type: string): JsonObject {
  return { object: 'list', results, next_cursor: nextCursor, has_more: nextCursor !== null, type, [type]: {} };
}

function titleOf(page: PageRecord): string {
  const title = Object.values(page.properties).find((v) => v.type === 'title');
  const items = title?.title;
  return Array.isArray(items) ? items.map((i) => String((i as JsonObject).plain_text ?? '')).join('') : '';
}

/** Converts request blocks (`{ paragraph: { rich_text: [...] } }`) to stored blocks. */
function toBlocks(state: State, parentId: string, parentType: 'page_id' | 'block_id', children: unknown): BlockRecord[] {
  if (!Array.isArray(children)) throw new NotionHttpError(400, 'validation_error', 'body failed validation: body.children should be an array.');
  return children.map((raw, index) => {
    const child = (raw ?? {}) as Record<string, unknown>;
    const type = typeof child.type === 'string' ? child.type : Object.keys(child).find((k) => k !== 'object' && k !== 'type');
    if (!type || typeof child[type] !== 'object' || child[type] === null) {
      throw new NotionHttpError(400, 'validation_error', `body failed validation: body.children[${index}] should be a block object.`);
    }
    const content = { ...(child[type] as JsonObject) };
    if ('rich_text' in content) content.rich_text = richTextResponse(content.rich_text);
    return {
      id: stableUuid('block', parentId, JSON.stringify(child), String(index)),
      parentId,
      parentType,
      type,
      content: { color: 'default', ...content },
      createdTime: state.now,
    };
  });
}

function buildProperties(source: DataSourceRecord | null, requested: Record<string, unknown>, existing?: PageRecord['properties']): PageRecord['properties'] {
  if (!source) {
    for (const key of Object.keys(requested)) {
      if (key !== 'title') throw new NotionHttpError(400, 'validation_error', `${key} is not a property that exists.`);
    }
    const title = requested.title as Record<string, unknown> | undefined;
    if (!title && existing) return existing;
    return { title: { id: 'title', type: 'title', title: richTextResponse(title?.title ?? []) } };
  }
  const out: PageRecord['properties'] = { ...(existing ?? {}) };
  for (const key of Object.keys(requested)) {
    if (!findProperty(source, key)) throw new NotionHttpError(400, 'validation_error', `${key} is not a property that exists.`);
  }
  for (const schema of source.properties) {
    const request = requested[schema.name] ?? requested[schema.id] ?? requested[decodeURIComponent(schema.id)];
    if (request !== undefined || !existing) out[schema.name] = propertyValue(schema, request);
  }
  return out;
}

type Handler = (state: State, params: string[], body: Record<string, unknown>, query: Record<string, string>) => Json;

function resolveParent(state: State, parent: Record<string, unknown>): { parent: JsonObject; source: DataSourceRecord | null } {
  if (typeof parent.data_source_id === 'string') {
    const source = state.dataSources.get(normalizeId(parent.data_source_id));
    if (!source) throw notFound(parent.data_source_id);
    return { parent: { type: 'data_source_id', data_source_id: source.id, database_id: source.databaseId }, source };
  }
  if (typeof parent.database_id === 'string') {
    const database = state.databases.get(normalizeId(parent.database_id));
    if (!database) throw notFound(parent.database_id);
    if (database.dataSourceIds.length !== 1) {
      throw new NotionHttpError(400, 'validation_error', 'Databases with multiple data sources are not supported in this API version.');
    }
    const source = state.dataSources.get(database.dataSourceIds[0]!)!;
    return { parent: { type: 'data_source_id', data_source_id: source.id, database_id: database.id }, source };
  }
  if (typeof parent.page_id === 'string') {
    const page = state.pages.get(normalizeId(parent.page_id));
    if (!page) throw notFound(parent.page_id);
    return { parent: { type: 'page_id', page_id: page.id }, source: null };
  }
  throw new NotionHttpError(400, 'validation_error', 'body failed validation: body.parent should be defined.');
}

function sourceOfPage(state: State, page: PageRecord): DataSourceRecord | null {
  const id = page.parent.data_source_id ?? (page.parent.database_id ? state.databases.get(String(page.parent.database_id))?.dataSourceIds[0] : undefined);
  return typeof id === 'string' ? (state.dataSources.get(id) ?? null) : null;
}

function getPage(state: State, id: string, restricted: Set<string>): PageRecord {
  const normalized = normalizeId(id);
  if (restricted.has(normalized)) throw new NotionHttpError(403, 'restricted_resource', 'Insufficient permissions for this endpoint.');
  const page = state.pages.get(normalized);
  if (!page) throw notFound(id);
  return page;
}

function routes(restricted: Set<string>): Array<[string, RegExp, Handler]> {
  return [
    ['GET', /^\/v1\/users\/me$/, () => botUser()],
    [
      'POST',
      /^\/v1\/search$/,
      (state, _p, body) => {
        const query = typeof body.query === 'string' ? body.query.toLowerCase() : '';
        const filter = body.filter as { property?: string; value?: string } | undefined;
        const sort = body.sort as { direction?: string } | undefined;
        const pages = [...state.pages.values()].filter((p) => !p.inTrash && !restricted.has(p.id) && titleOf(p).toLowerCase().includes(query));
        const sources = [...state.dataSources.values()].filter((s) => s.title.toLowerCase().includes(query));
        const items: Array<{ id: string; edited: string; json: JsonObject }> = [];
        if (filter?.value !== 'data_source') items.push(...pages.map((p) => ({ id: p.id, edited: p.lastEditedTime, json: pageObject(state, p) })));
        if (filter?.value !== 'page') items.push(...sources.map((s) => ({ id: s.id, edited: '2026-01-01T00:00:00.000Z', json: dataSourceObject(s) })));
        const direction = sort?.direction === 'ascending' ? 1 : -1;
        items.sort((a, b) => (a.edited === b.edited ? (a.id < b.id ? -1 : 1) : (a.edited < b.edited ? -1 : 1) * direction));
        const { page, nextCursor } = paginate(items, body);
        return listObject(page.map((i) => i.json), nextCursor, 'page_or_data_source');
      },
    ],
    [
      'POST',
      /^\/v1\/pages$/,
      (state, _p, body) => {
        const { parent, source } = resolveParent(state, (body.parent ?? {}) as Record<string, unknown>);
        const properties = buildProperties(source, (body.properties ?? {}) as Record<string, unknown>);
        const id = stableUuid('page', JSON.stringify(body));
        const page: PageRecord = { id, parent, properties, createdTime: state.now, lastEditedTime: state.now, inTrash: false, isLocked: false, icon: (body.icon ?? null) as Json, cover: (body.cover ?? null) as Json };
        const blocks = body.children === undefined ? [] : toBlocks(state, id, 'page_id', body.children);
        state.pages.set(id, page);
        for (const block of blocks) state.blocks.set(block.id, block);
        return pageObject(state, page);
      },
    ],
    ['GET', /^\/v1\/pages\/([^/]+)$/, (state, [id]) => pageObject(state, getPage(state, id!, restricted))],
    [
      'PATCH',
      /^\/v1\/pages\/([^/]+)$/,
      (state, [id], body) => {
        const page = getPage(state, id!, restricted);
        if (page.isLocked && body.is_locked !== false && body.properties) throw new NotionHttpError(400, 'validation_error', 'Page is locked.');
        const properties = body.properties ? buildProperties(sourceOfPage(state, page), body.properties as Record<string, unknown>, page.properties) : page.properties;
        const trash = typeof body.in_trash === 'boolean' ? body.in_trash : typeof body.archived === 'boolean' ? body.archived : page.inTrash;
        const updated: PageRecord = {
          ...page,
          properties,
          inTrash: trash,
          isLocked: typeof body.is_locked === 'boolean' ? body.is_locked : page.isLocked,
          icon: body.icon === undefined ? page.icon : (body.icon as Json),
          cover: body.cover === undefined ? page.cover : (body.cover as Json),
          lastEditedTime: state.now,
        };
        state.pages.set(page.id, updated);
        return pageObject(state, updated);
      },
    ],
    [
      'GET',
      /^\/v1\/blocks\/([^/]+)\/children$/,
      (state, [id], _b, query) => {
        const parentId = normalizeId(id!);
        if (!state.pages.has(parentId) && !state.blocks.has(parentId)) throw notFound(id!);
        const children = [...state.blocks.values()].filter((b) => b.parentId === parentId);
        const { page, nextCursor } = paginate(children, query);
        return listObject(page.map(blockObject), nextCursor, 'block');
      },
    ],
    [
      'PATCH',
      /^\/v1\/blocks\/([^/]+)\/children$/,
      (state, [id], body) => {
        const parentId = normalizeId(id!);
        const parentType = state.pages.has(parentId) ? 'page_id' : state.blocks.has(parentId) ? 'block_id' : null;
        if (!parentType) throw notFound(id!);
        const blocks = toBlocks(state, parentId, parentType, body.children);
        for (const block of blocks) state.blocks.set(block.id, block);
        return listObject(blocks.map(blockObject), null, 'block');
      },
    ],
    [
      'GET',
      /^\/v1\/data_sources\/([^/]+)$/,
      (state, [id]) => {
        const source = state.dataSources.get(normalizeId(id!));
        if (!source) throw notFound(id!);
        return dataSourceObject(source);
      },
    ],
    [
      'POST',
      /^\/v1\/data_sources\/([^/]+)\/query$/,
      (state, [id], body) => {
        const source = state.dataSources.get(normalizeId(id!));
        if (!source) throw notFound(id!);
        const pages = [...state.pages.values()].filter((p) => !p.inTrash && sourceOfPage(state, p)?.id === source.id && matchesFilter(p, source, body.filter));
        const sorted = sortPages(pages, source, body.sorts);
        const { page, nextCursor } = paginate(sorted, body);
        return listObject(page.map((p) => pageObject(state, p)), nextCursor, 'page_or_data_source');
      },
    ],
    [
      'GET',
      /^\/v1\/databases\/([^/]+)$/,
      (state, [id]) => {
        const database = state.databases.get(normalizeId(id!));
        if (!database) throw notFound(id!);
        return {
          object: 'database',
          id: database.id,
          title: richTextResponse([{ text: { content: database.title } }]),
          parent: { type: 'workspace', workspace: true },
          is_inline: false,
          in_trash: false,
          data_sources: database.dataSourceIds.map((dsId) => ({ id: dsId, name: state.dataSources.get(dsId)?.title ?? '' })),
          url: `https://www.notion.so/${database.id.replace(/-/g, '')}`,
        };
      },
    ],
    [
      'POST',
      /^\/v1\/comments$/,
      (state, _p, body) => {
        const parent = (body.parent ?? {}) as Record<string, unknown>;
        const targetId = normalizeId(String(parent.page_id ?? parent.block_id ?? ''));
        if (!state.pages.has(targetId) && !state.blocks.has(targetId)) throw notFound(targetId);
        const richText = richTextResponse(body.rich_text);
        const id = stableUuid('comment', JSON.stringify(body));
        const comment: CommentRecord = {
          id,
          parent: parent.page_id ? { type: 'page_id', page_id: targetId } : { type: 'block_id', block_id: targetId },
          discussionId: stableUuid('discussion', targetId),
          richText,
          createdTime: state.now,
        };
        state.comments.set(id, comment);
        return {
          object: 'comment',
          id,
          parent: comment.parent,
          discussion_id: comment.discussionId,
          created_time: comment.createdTime,
          last_edited_time: comment.createdTime,
          created_by: partialUser(fakeIds.bot),
          rich_text: richText,
          display_name: { type: 'integration', resolved_name: 'Integration Bot' },
        };
      },
    ],
  ];
}

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
    dataSources: new Map(seedDataSources().map((s) => [s.id, s])),
    databases: new Map(seedDatabases().map((d) => [d.id, d])),
    pages: new Map(seedPages().map((p) => [p.id, p])),
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
