import {
  botUser,
  fakeIds,
  partialUser,
  propertyValue,
  richTextResponse,
  stableUuid,
  type BlockRecord,
  type CommentRecord,
  type DatabaseRecord,
  type DataSourceRecord,
  type Json,
  type JsonObject,
  type PageRecord,
} from './fake-notion-data';
import { findProperty, matchesFilter, paginate, sortPages } from './fake-notion-query';

/** The fake workspace's REST routes: Notion objects built from the seeded records. */
export class NotionHttpError extends Error {
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

export interface State {
  now: string;
  dataSources: Map<string, DataSourceRecord>;
  databases: Map<string, DatabaseRecord>;
  pages: Map<string, PageRecord>;
  blocks: Map<string, BlockRecord>;
  comments: Map<string, CommentRecord>;
}

export const normalizeId = (id: string) => {
  const hex = id.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : id;
};

export function pageObject(state: State, page: PageRecord): JsonObject {
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

export type Handler = (state: State, params: string[], body: Record<string, unknown>, query: Record<string, string>) => Json;

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

export function routes(restricted: Set<string>): Array<[string, RegExp, Handler]> {
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
