import { createHash } from 'node:crypto';

/** Fixed ids of the seeded fake workspace (hex UUIDs, as Notion returns them). */
export const fakeIds = {
  bot: '0b0b0b0b-0000-4000-8000-000000000001',
  person: '0a0a0a0a-0000-4000-8000-000000000002',
  tasksDatabase: 'db000000-0000-4000-8000-000000000001',
  tasksDataSource: 'da000000-0000-4000-8000-000000000001',
  notesDatabase: 'db000000-0000-4000-8000-000000000002',
  notesDataSource: 'da000000-0000-4000-8000-000000000002',
  splitDatabase: 'db000000-0000-4000-8000-000000000003',
  splitDataSourceA: 'da000000-0000-4000-8000-00000000003a',
  splitDataSourceB: 'da000000-0000-4000-8000-00000000003b',
  taskPage1: '0e000000-0000-4000-8000-000000000001',
  taskPage2: '0e000000-0000-4000-8000-000000000002',
  taskPage3: '0e000000-0000-4000-8000-000000000003',
  roadmapPage: '0e000000-0000-4000-8000-0000000000a1',
  legacyNotePage: '0e000000-0000-4000-8000-0000000000b1',
  restrictedPage: '0e000000-0000-4000-8000-0000000000f1',
  block1: '0b100000-0000-4000-8000-000000000001',
  block2: '0b100000-0000-4000-8000-000000000002',
  block3: '0b100000-0000-4000-8000-000000000003',
} as const;

export const FAKE_WORKSPACE_NAME = 'Acme Docs';
export const SEED_TIME = '2026-01-10T09:00:00.000Z';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A deterministic UUID (v4 layout) derived from the given parts. */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function partialUser(id: string): JsonObject {
  return { object: 'user', id };
}

export function botUser(): JsonObject {
  return {
    object: 'user',
    id: fakeIds.bot,
    name: 'Integration Bot',
    avatar_url: null,
    type: 'bot',
    bot: { owner: { type: 'workspace', workspace: true }, workspace_name: FAKE_WORKSPACE_NAME },
  };
}

const defaultAnnotations: JsonObject = { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' };

/** Request rich text (`{ text: { content } }`) → response rich text (with plain_text, annotations). */
export function richTextResponse(items: unknown): Json[] {
  if (!Array.isArray(items)) return [];
  return items.map((raw) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const text = (item.text ?? {}) as Record<string, unknown>;
    const content = typeof text.content === 'string' ? text.content : '';
    const link = (text.link ?? null) as Json;
    return {
      type: 'text',
      text: { content, link },
      annotations: { ...defaultAnnotations, ...((item.annotations ?? {}) as JsonObject) },
      plain_text: content,
      href: link && typeof link === 'object' && !Array.isArray(link) ? ((link.url ?? null) as Json) : null,
    };
  });
}

export function plainText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return items.map((item) => String((item as { plain_text?: unknown }).plain_text ?? '')).join('');
}

export interface PropertySchema {
  id: string;
  name: string;
  type: string;
  config?: JsonObject;
}

export interface DataSourceRecord {
  id: string;
  databaseId: string;
  title: string;
  properties: PropertySchema[];
}

export interface DatabaseRecord {
  id: string;
  title: string;
  dataSourceIds: string[];
}

export interface PageRecord {
  id: string;
  parent: JsonObject;
  properties: Record<string, JsonObject>;
  createdTime: string;
  lastEditedTime: string;
  inTrash: boolean;
  isLocked: boolean;
  icon: Json;
  cover: Json;
}

export interface BlockRecord {
  id: string;
  parentId: string;
  parentType: 'page_id' | 'block_id';
  type: string;
  content: JsonObject;
  createdTime: string;
}

export interface CommentRecord {
  id: string;
  parent: JsonObject;
  discussionId: string;
  richText: Json[];
  createdTime: string;
}

const tasksProperties: PropertySchema[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'st%3Au', name: 'Status', type: 'status', config: { options: [{ id: 'o1', name: 'Todo', color: 'gray' }, { id: 'o2', name: 'Doing', color: 'blue' }, { id: 'o3', name: 'Done', color: 'green' }], groups: [] } },
  { id: 'pr%3Ai', name: 'Priority', type: 'select', config: { options: [{ id: 'p1', name: 'High', color: 'red' }, { id: 'p2', name: 'Low', color: 'gray' }] } },
  { id: 'es%3At', name: 'Estimate', type: 'number', config: { format: 'number' } },
  { id: 'do%3An', name: 'Done', type: 'checkbox' },
  { id: 'du%3Ae', name: 'Due', type: 'date' },
];

const notesProperties: PropertySchema[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'ta%3Ag', name: 'Tags', type: 'multi_select', config: { options: [] } },
];

export function emptyValue(type: string): Json {
  switch (type) {
    case 'title':
    case 'rich_text':
    case 'multi_select':
    case 'people':
    case 'relation':
    case 'files':
      return [];
    case 'checkbox':
      return false;
    default:
      return null;
  }
}

/** A page property value in response form: `{ id, type, [type]: value }`. */
export function propertyValue(schema: PropertySchema, requestValue: unknown): JsonObject {
  const raw = requestValue && typeof requestValue === 'object' ? (requestValue as Record<string, unknown>)[schema.type] : undefined;
  let value: Json;
  if (raw === undefined) value = emptyValue(schema.type);
  else if (schema.type === 'title' || schema.type === 'rich_text') value = richTextResponse(raw);
  else if ((schema.type === 'select' || schema.type === 'status') && raw && typeof raw === 'object') {
    const name = String((raw as { name?: unknown }).name ?? '');
    const options = ((schema.config?.options ?? []) as JsonObject[]).filter((o) => o.name === name);
    value = options[0] ?? { id: stableUuid('option', schema.id, name).slice(0, 8), name, color: 'default' };
  } else if (schema.type === 'multi_select' && Array.isArray(raw)) {
    value = raw.map((o) => {
      const name = String((o as { name?: unknown }).name ?? '');
      return { id: stableUuid('option', schema.id, name).slice(0, 8), name, color: 'default' };
    });
  } else value = raw as Json;
  return { id: schema.id, type: schema.type, [schema.type]: value };
}

export function seedDataSources(): DataSourceRecord[] {
  return [
    { id: fakeIds.tasksDataSource, databaseId: fakeIds.tasksDatabase, title: 'Tasks', properties: tasksProperties },
    { id: fakeIds.notesDataSource, databaseId: fakeIds.notesDatabase, title: 'Notes', properties: notesProperties },
    { id: fakeIds.splitDataSourceA, databaseId: fakeIds.splitDatabase, title: 'Split A', properties: notesProperties },
    { id: fakeIds.splitDataSourceB, databaseId: fakeIds.splitDatabase, title: 'Split B', properties: tasksProperties },
  ];
}

export function seedDatabases(): DatabaseRecord[] {
  return [
    { id: fakeIds.tasksDatabase, title: 'Tasks', dataSourceIds: [fakeIds.tasksDataSource] },
    { id: fakeIds.notesDatabase, title: 'Notes', dataSourceIds: [fakeIds.notesDataSource] },
    { id: fakeIds.splitDatabase, title: 'Split', dataSourceIds: [fakeIds.splitDataSourceA, fakeIds.splitDataSourceB] },
  ];
}

function taskPage(id: string, title: string, status: string, estimate: number, edited: string): PageRecord {
  const values: Record<string, unknown> = {
    Name: { title: [{ text: { content: title } }] },
    Status: { status: { name: status } },
    Estimate: { number: estimate },
    Done: { checkbox: status === 'Done' },
  };
  return {
    id,
    parent: { type: 'data_source_id', data_source_id: fakeIds.tasksDataSource, database_id: fakeIds.tasksDatabase },
    properties: Object.fromEntries(tasksProperties.map((p) => [p.name, propertyValue(p, values[p.name])])),
    createdTime: SEED_TIME,
    lastEditedTime: edited,
    inTrash: false,
    isLocked: false,
    icon: null,
    cover: null,
  };
}

export function seedPages(): PageRecord[] {
  const titleOnly = (text: string) => ({ title: { id: 'title', type: 'title', title: richTextResponse([{ text: { content: text } }]) } });
  return [
    taskPage(fakeIds.taskPage1, 'Write launch post', 'Doing', 3, '2026-01-12T10:00:00.000Z'),
    taskPage(fakeIds.taskPage2, 'Fix login bug', 'Todo', 5, '2026-01-12T11:00:00.000Z'),
    taskPage(fakeIds.taskPage3, 'Ship release', 'Done', 1, '2026-01-12T12:00:00.000Z'),
    {
      id: fakeIds.roadmapPage,
      parent: { type: 'workspace', workspace: true },
      properties: titleOnly('Roadmap'),
      createdTime: SEED_TIME,
      lastEditedTime: '2026-01-11T08:00:00.000Z',
      inTrash: false,
      isLocked: false,
      icon: null,
      cover: null,
    },
    {
      id: fakeIds.legacyNotePage,
      parent: { type: 'database_id', database_id: fakeIds.notesDatabase },
      properties: Object.fromEntries(notesProperties.map((p) => [p.name, propertyValue(p, p.type === 'title' ? { title: [{ text: { content: 'Legacy note' } }] } : undefined)])),
      createdTime: SEED_TIME,
      lastEditedTime: '2026-01-11T07:00:00.000Z',
      inTrash: false,
      isLocked: false,
      icon: null,
      cover: null,
    },
  ];
}

export function seedBlocks(): BlockRecord[] {
  const paragraph = (text: string): JsonObject => ({ rich_text: richTextResponse([{ text: { content: text } }]), color: 'default' });
  return [
    { id: fakeIds.block1, parentId: fakeIds.roadmapPage, parentType: 'page_id', type: 'heading_2', content: { ...paragraph('Q1'), is_toggleable: false }, createdTime: SEED_TIME },
    { id: fakeIds.block2, parentId: fakeIds.roadmapPage, parentType: 'page_id', type: 'paragraph', content: paragraph('Launch the integration platform.'), createdTime: SEED_TIME },
    { id: fakeIds.block3, parentId: fakeIds.roadmapPage, parentType: 'page_id', type: 'to_do', content: { ...paragraph('Write the docs'), checked: false }, createdTime: SEED_TIME },
  ];
}
