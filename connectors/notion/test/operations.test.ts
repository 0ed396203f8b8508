import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, StoreError, type EventSpec } from '@integration/contracts';
import { notion } from '../src/index';
import { DEFAULT_FAKE_TOKEN, fakeIds, startFakeNotion, type FakeNotion, type RecordedRequest } from '../src/testing/index';
import { capabilityOf, harnessContext, runCapability, type RecordedArtifact } from './harness';

let fake: FakeNotion;
let connector: ReturnType<typeof notion>;
const token = DEFAULT_FAKE_TOKEN;
const authBinding = checksumOf(token);

beforeAll(async () => {
  fake = await startFakeNotion();
  connector = notion({ baseUrl: fake.baseUrl });
});
afterAll(() => fake.close());
beforeEach(() => fake.clearRequests());

function expectNotionHeaders(request: RecordedRequest) {
  expect(request.headers.authorization).toBe(`Bearer ${token}`);
  expect(request.headers['notion-version']).toBe('2025-09-03');
}

const calls = () => fake.requests.map((r) => `${r.method} ${r.path}`);

async function completed(capabilityId: string, input: unknown) {
  const run = await runCapability(connector, capabilityId, input, { token });
  if (run.status !== 'completed') throw run.error;
  const suffix = capabilityId.replace('notion.', '');
  expect(run.events.map((e) => e.type)).toEqual([`connector.notion.${suffix}.completed`]);
  expect(run.events[0]).toMatchObject({ stream: 'control', level: 'info', payload: { capabilityId, authBinding } });
  expect(run.artifacts).toHaveLength(1);
  expect(run.artifacts[0]!.input).toMatchObject({ type: 'tool_output', slug: suffix.replace(/\./g, '_') });
  // Every output parses against the declared output schema (the harness already did; check strictly again).
  expect(capabilityOf(connector, capabilityId).outputSchema!.safeParse(run.output).success).toBe(true);
  expect(run.output).toMatchObject({ authBinding });
  return run;
}

describe('notion operations against the fake Notion API (real SDK)', () => {
  it('users.get_self: GET /v1/users/me', async () => {
    const run = await completed('notion.users.get_self', {});
    expect(calls()).toEqual(['GET /v1/users/me']);
    expectNotionHeaders(fake.requests[0]!);
    expect(run.output).toMatchObject({ data: { object: 'user', id: fakeIds.bot, type: 'bot' } });
    expect(run.events[0]!.payload).toMatchObject({ userId: fakeIds.bot, userType: 'bot' });
  });

  it('search.search: POST /v1/search with the filter, sort and page size', async () => {
    const input = { query: 'release', filter: { property: 'object', value: 'page' }, sort: { timestamp: 'last_edited_time', direction: 'descending' }, page_size: 5 };
    const run = await completed('notion.search.search', input);
    expect(calls()).toEqual(['POST /v1/search']);
    expectNotionHeaders(fake.requests[0]!);
    expect(fake.requests[0]!.body).toEqual(input);
    const data = (run.output as { data: { object: string; results: Array<{ id: string }>; has_more: boolean } }).data;
    expect(data).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
    expect(data.results.map((r) => r.id)).toEqual([fakeIds.taskPage3]);
  });

  it('search.search paginates with start_cursor', async () => {
    const first = await completed('notion.search.search', { filter: { property: 'object', value: 'page' }, page_size: 2 });
    const list = (first.output as { data: { results: Array<{ id: string }>; next_cursor: string | null; has_more: boolean } }).data;
    expect(list.results.map((r) => r.id)).toEqual([fakeIds.taskPage3, fakeIds.taskPage2]);
    expect(list.has_more).toBe(true);
    const second = await completed('notion.search.search', { filter: { property: 'object', value: 'page' }, page_size: 2, start_cursor: list.next_cursor! });
    expect(fake.requests[1]!.body).toMatchObject({ start_cursor: list.next_cursor });
    expect((second.output as { data: { results: Array<{ id: string }> } }).data.results.map((r) => r.id)).toEqual([fakeIds.taskPage1, fakeIds.roadmapPage]);
  });

  it('pages.create in a data source: reads the schema, then POST /v1/pages', async () => {
    const input = {
      parent: { data_source_id: fakeIds.tasksDataSource },
      properties: { Name: { title: [{ text: { content: 'New task' } }] }, Status: { status: { name: 'Todo' } }, 'es%3At': { number: 4 } },
      children: [{ paragraph: { rich_text: [{ text: { content: 'Body' } }] } }],
    };
    const run = await completed('notion.pages.create', input);
    expect(calls()).toEqual([`GET /v1/data_sources/${fakeIds.tasksDataSource}`, 'POST /v1/pages']);
    fake.requests.forEach(expectNotionHeaders);
    expect(fake.requests[1]!.body).toEqual({ ...input, parent: { type: 'data_source_id', data_source_id: fakeIds.tasksDataSource } });
    const output = run.output as { data: { object: string; parent: unknown; properties: Record<string, { type: string }> }; schemaContext: unknown };
    expect(output.data).toMatchObject({ object: 'page', parent: { type: 'data_source_id', data_source_id: fakeIds.tasksDataSource } });
    expect(output.data.properties.Estimate).toMatchObject({ type: 'number', number: 4 });
    expect(output.schemaContext).toEqual({
      contextSource: 'data_source',
      dataSourceId: fakeIds.tasksDataSource,
      propertyNames: ['Done', 'Due', 'Estimate', 'Name', 'Priority', 'Status'],
      resolvedVia: ['data_source'],
      sourcePageId: null,
    });
    expect(run.events[0]!.payload).toMatchObject({ schemaContext: output.schemaContext });
  });

  it('pages.create under a page needs no schema read', async () => {
    const run = await completed('notion.pages.create', { parent: { page_id: fakeIds.roadmapPage }, properties: { title: { title: [{ text: { content: 'Sub page' } }] } } });
    expect(calls()).toEqual(['POST /v1/pages']);
    expect(run.output).toMatchObject({ data: { parent: { type: 'page_id', page_id: fakeIds.roadmapPage } }, schemaContext: null });
  });

  it('pages.create with a legacy database parent resolves its single data source', async () => {
    const run = await completed('notion.pages.create', { parent: { database_id: fakeIds.notesDatabase }, properties: { Name: { title: [{ text: { content: 'Note' } }] } } });
    expect(calls()).toEqual([`GET /v1/databases/${fakeIds.notesDatabase}`, `GET /v1/data_sources/${fakeIds.notesDataSource}`, 'POST /v1/pages']);
    expect(fake.requests[2]!.body).toMatchObject({ parent: { type: 'data_source_id', data_source_id: fakeIds.notesDataSource } });
    expect(run.output).toMatchObject({ schemaContext: { contextSource: 'database', resolvedVia: ['database', 'data_source'] } });
  });

  it('pages.retrieve: page GET, then its data source GET; schema context in the output', async () => {
    const run = await completed('notion.pages.retrieve', { page_id: fakeIds.taskPage1 });
    expect(calls()).toEqual([`GET /v1/pages/${fakeIds.taskPage1}`, `GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    expect(run.output).toMatchObject({
      data: { object: 'page', id: fakeIds.taskPage1, url: expect.stringContaining('notion.so') },
      schemaContext: { contextSource: 'page_parent', resolvedVia: ['page', 'data_source'], sourcePageId: fakeIds.taskPage1, dataSourceId: fakeIds.tasksDataSource },
    });
  });

  it('pages.retrieve of a page under a legacy database resolves page → database → data source', async () => {
    const run = await completed('notion.pages.retrieve', { page_id: fakeIds.legacyNotePage });
    expect(calls()).toEqual([`GET /v1/pages/${fakeIds.legacyNotePage}`, `GET /v1/databases/${fakeIds.notesDatabase}`, `GET /v1/data_sources/${fakeIds.notesDataSource}`]);
    expect(run.output).toMatchObject({ schemaContext: { resolvedVia: ['page', 'database', 'data_source'], propertyNames: ['Name', 'Tags'] } });
  });

  it('pages.retrieve of a workspace page has no schema context', async () => {
    const run = await completed('notion.pages.retrieve', { page_id: fakeIds.roadmapPage.replace(/-/g, '') });
    expect(calls()).toEqual([`GET /v1/pages/${fakeIds.roadmapPage.replace(/-/g, '')}`]);
    expect(run.output).toMatchObject({ data: { id: fakeIds.roadmapPage }, schemaContext: null });
  });

  it('pages.update: page GET and schema GET before the PATCH', async () => {
    const run = await completed('notion.pages.update', { page_id: fakeIds.taskPage2, properties: { Status: { status: { name: 'Done' } } }, is_locked: false });
    expect(calls()).toEqual([`GET /v1/pages/${fakeIds.taskPage2}`, `GET /v1/data_sources/${fakeIds.tasksDataSource}`, `PATCH /v1/pages/${fakeIds.taskPage2}`]);
    expect(fake.requests[2]!.body).toEqual({ properties: { Status: { status: { name: 'Done' } } }, is_locked: false });
    expect(run.output).toMatchObject({ data: { properties: { Status: { status: { name: 'Done' } } }, last_edited_time: '2026-01-15T12:00:00.000Z' } });
  });

  it('pages.update without properties (archive) skips schema resolution', async () => {
    const run = await completed('notion.pages.update', { page_id: fakeIds.taskPage3, in_trash: true });
    expect(calls()).toEqual([`PATCH /v1/pages/${fakeIds.taskPage3}`]);
    expect(run.output).toMatchObject({ data: { in_trash: true }, schemaContext: null });
    await completed('notion.pages.update', { page_id: fakeIds.taskPage3, in_trash: false });
  });

  it('blocks.list_children: GET /v1/blocks/{id}/children with the page size as a query param', async () => {
    const run = await completed('notion.blocks.list_children', { block_id: fakeIds.roadmapPage, page_size: 2 });
    expect(calls()).toEqual([`GET /v1/blocks/${fakeIds.roadmapPage}/children`]);
    expect(fake.requests[0]!.query).toEqual({ page_size: '2' });
    expect(fake.requests[0]!.body).toBeNull();
    expect(run.output).toMatchObject({ data: { object: 'list', has_more: true, next_cursor: fakeIds.block3, results: [{ id: fakeIds.block1, type: 'heading_2' }, { id: fakeIds.block2 }] } });
  });

  it('blocks.append_children: PATCH /v1/blocks/{id}/children', async () => {
    const children = [{ paragraph: { rich_text: [{ text: { content: 'Appended text' } }] } }, { to_do: { rich_text: [{ text: { content: 'Check' } }], checked: true } }];
    const run = await completed('notion.blocks.append_children', { block_id: fakeIds.block2, children });
    expect(calls()).toEqual([`PATCH /v1/blocks/${fakeIds.block2}/children`]);
    expect(fake.requests[0]!.body).toEqual({ children });
    const results = (run.output as { data: { results: Array<{ type: string; parent: unknown }> } }).data.results;
    expect(results.map((b) => b.type)).toEqual(['paragraph', 'to_do']);
    expect(results[0]!.parent).toEqual({ type: 'block_id', block_id: fakeIds.block2 });
  });

  it('data_sources.query: schema GET, then POST …/query with nested filter and sorts', async () => {
    const input = {
      data_source_id: fakeIds.tasksDataSource,
      filter: { or: [{ property: 'Status', status: { equals: 'Done' } }, { and: [{ property: 'Estimate', number: { greater_than: 2 } }, { property: 'do%3An', checkbox: { equals: false } }] }] },
      sorts: [{ property: 'Estimate', direction: 'descending' }, { timestamp: 'last_edited_time', direction: 'ascending' }],
      page_size: 10,
    };
    // A fresh workspace, so pages written by other tests do not change the result.
    const fresh = await startFakeNotion();
    try {
      const run = await runCapability(notion({ baseUrl: fresh.baseUrl }), 'notion.data_sources.query', input, { token });
      expect(run.status).toBe('completed');
      expect(fresh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET /v1/data_sources/${fakeIds.tasksDataSource}`,
        `POST /v1/data_sources/${fakeIds.tasksDataSource}/query`,
      ]);
      const { data_source_id: _id, ...body } = input;
      expect(fresh.requests[1]!.body).toEqual(body);
      const ids = (run.output as { data: { results: Array<{ id: string }> } }).data.results.map((r) => r.id);
      // Done OR (Estimate > 2 AND not done), by Estimate descending: 5, 3, 1.
      expect(ids).toEqual([fakeIds.taskPage2, fakeIds.taskPage1, fakeIds.taskPage3]);
      expect(run.output).toMatchObject({ schemaContext: { contextSource: 'data_source', dataSourceId: fakeIds.tasksDataSource } });
    } finally {
      await fresh.close();
    }
  });

  it('comments.create: POST /v1/comments', async () => {
    const input = { parent: { page_id: fakeIds.roadmapPage }, rich_text: [{ text: { content: 'Ship it' } }] };
    const run = await completed('notion.comments.create', input);
    expect(calls()).toEqual(['POST /v1/comments']);
    expect(fake.requests[0]!.body).toEqual(input);
    expect(run.output).toMatchObject({ data: { object: 'comment', parent: { type: 'page_id', page_id: fakeIds.roadmapPage }, rich_text: [{ plain_text: 'Ship it' }] } });
  });

  it('every fixture runs twice with identical outputs, events and artifacts', async () => {
    for (const fixture of connector.conformance!.fixtures) {
      const first = await runCapability(connector, fixture.capabilityId, fixture.input, { token });
      const second = await runCapability(connector, fixture.capabilityId, fixture.input, { token });
      expect(first.status, fixture.name).toBe('completed');
      expect(second.output).toEqual(first.output);
      expect(second.events).toEqual(first.events);
      expect(second.artifacts.map((a) => a.ref.checksum)).toEqual(first.artifacts.map((a) => a.ref.checksum));
      expect(first.events.map((e) => e.type)).toEqual(fixture.expect!.eventTypes);
    }
  });

  it('rejects malformed input at the schema boundary (no request made)', async () => {
    const capability = capabilityOf(connector, 'notion.pages.retrieve');
    expect(capability.inputSchema.safeParse({ page_id: '../../users/me' }).success).toBe(false);
    expect(capability.inputSchema.safeParse({ page_id: fakeIds.taskPage1, extra: 1 }).success).toBe(false);
    expect(capabilityOf(connector, 'notion.blocks.append_children').inputSchema.safeParse({ block_id: fakeIds.block1, children: [] }).success).toBe(false);
    expect(capabilityOf(connector, 'notion.search.search').inputSchema.safeParse({ page_size: 101 }).success).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('an artifact store failure after a successful call surfaces as itself, not as a Notion failure', async () => {
    const sink = { events: [] as EventSpec[], artifacts: [] as RecordedArtifact[], logs: [] as unknown[] };
    const ctx = harnessContext(token, sink);
    ctx.artifact = async () => {
      throw new StoreError('store_unavailable', 'artifact store is down');
    };
    const capability = capabilityOf(connector, 'notion.users.get_self');
    await expect(capability.handler!({}, ctx)).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(sink.events.map((e) => e.type)).toEqual(['connector.notion.users.get_self.completed']);
  });
});
