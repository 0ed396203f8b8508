import type { ConformanceFixture, ConformanceSpec, ConnectorDefinition } from '@integration/contracts';
import { fakeIds } from './testing/fake-notion-data';

/** The token the fixtures lease; the fixture server accepts any bearer token (canaries included). */
export const FIXTURE_TOKEN = 'secret_notion_fixture_token_0001';

const lease = { subject: 'notion-fixture-bot', payload: { access_token: FIXTURE_TOKEN } };

function fixture(capabilityId: string, input: unknown, name: string): ConformanceFixture {
  const suffix = capabilityId.replace(/^notion\./, '');
  return {
    name,
    capabilityId,
    input,
    lease,
    expect: { eventTypes: [`connector.notion.${suffix}.completed`], artifactTypes: ['tool_output'] },
  };
}

/** One deterministic fixture per published operation, against the seeded fake workspace. */
export const notionFixtures: ConformanceFixture[] = [
  fixture('notion.users.get_self', {}, 'bot user'),
  fixture('notion.search.search', { query: 'release', filter: { property: 'object', value: 'page' }, page_size: 5 }, 'search pages'),
  fixture(
    'notion.pages.create',
    {
      parent: { data_source_id: fakeIds.tasksDataSource },
      properties: { Name: { title: [{ text: { content: 'Conformance task' } }] }, Status: { status: { name: 'Todo' } }, Estimate: { number: 2 } },
      children: [{ paragraph: { rich_text: [{ text: { content: 'Created by the conformance suite.' } }] } }],
    },
    'create a task page',
  ),
  fixture('notion.pages.retrieve', { page_id: fakeIds.taskPage1 }, 'retrieve a task page with its schema'),
  fixture('notion.pages.update', { page_id: fakeIds.taskPage2, properties: { Status: { status: { name: 'Doing' } }, Estimate: { number: 8 } } }, 'update a task page'),
  fixture('notion.blocks.list_children', { block_id: fakeIds.roadmapPage, page_size: 10 }, 'list page blocks'),
  fixture('notion.blocks.append_children', { block_id: fakeIds.roadmapPage, children: [{ paragraph: { rich_text: [{ text: { content: 'Appended.' } }] } }] }, 'append a paragraph'),
  fixture(
    'notion.data_sources.query',
    {
      data_source_id: fakeIds.tasksDataSource,
      filter: { or: [{ property: 'Status', status: { equals: 'Todo' } }, { and: [{ property: 'Estimate', number: { greater_than: 2 } }, { property: 'Done', checkbox: { equals: false } }] }] },
      sorts: [{ property: 'Estimate', direction: 'descending' }],
    },
    'query tasks with nested filter',
  ),
  fixture('notion.comments.create', { parent: { page_id: fakeIds.roadmapPage }, rich_text: [{ text: { content: 'Looks good.' } }] }, 'comment on a page'),
];

/** Conformance spec: fixtures plus a setup that starts the fake Notion API on 127.0.0.1. */
export function notionConformance(build: (baseUrl: string) => ConnectorDefinition): ConformanceSpec {
  return {
    fixtures: notionFixtures,
    setup: async () => {
      const { startFakeNotion } = await import('./testing/fake-notion');
      const fake = await startFakeNotion({ acceptAnyToken: true });
      return { connector: build(fake.baseUrl), teardown: () => fake.close() };
    },
  };
}
