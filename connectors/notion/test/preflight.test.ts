import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConnectorError } from '@integration/contracts';
import { notion } from '../src/index';
import { checkFilter, checkProperties, checkSorts } from '../src/preflight';
import type { SchemaContext } from '../src/schema-context';
import { DEFAULT_FAKE_TOKEN, fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';
import { runCapability } from './harness';

let fake: FakeNotion;
let connector: ReturnType<typeof notion>;
const token = DEFAULT_FAKE_TOKEN;

beforeAll(async () => {
  fake = await startFakeNotion();
  connector = notion({ baseUrl: fake.baseUrl });
});
afterAll(() => fake.close());
beforeEach(() => fake.clearRequests());

const calls = () => fake.requests.map((r) => `${r.method} ${r.path}`);

async function refused(capabilityId: string, input: unknown) {
  const run = await runCapability(connector, capabilityId, input, { token });
  expect(run.status).toBe('failed');
  const error = run.error as ConnectorError;
  expect(error).toBeInstanceOf(ConnectorError);
  expect(error.code).toBe('connector_invalid_request');
  expect(error.errorClass).toBe('invalid_request');
  expect(error.retryable).toBe(false);
  expect(error.details.providerCode).toBe('notion.preflight_validation');
  expect(error.upstream.phase).toBe('preflight');
  const suffix = capabilityId.replace('notion.', '');
  expect(run.events.map((e) => e.type)).toEqual([`connector.notion.${suffix}.failed`]);
  expect(run.events[0]).toMatchObject({ level: 'warn', payload: { error: { providerCode: 'notion.preflight_validation', class: 'invalid_request' } } });
  expect(run.artifacts.map((a) => a.input.slug)).toEqual([`${suffix.replace(/\./g, '_')}_error`]);
  return { error, issues: error.upstream.issues as Array<Record<string, unknown>> };
}

describe('late-bound schema preflight (no write or query call is made)', () => {
  it('pages.create: an unknown property is refused after only the schema read', async () => {
    const { issues, error } = await refused('notion.pages.create', {
      parent: { data_source_id: fakeIds.tasksDataSource },
      properties: { Name: { title: [{ text: { content: 'x' } }] }, Owner: { people: [] }, Colour: { select: { name: 'Red' } } },
    });
    expect(calls()).toEqual([`GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    expect(issues).toEqual([
      { kind: 'unknown_property', path: 'properties.Owner', property: 'Owner', source: 'data_source', message: expect.stringContaining('Owner') },
      { kind: 'unknown_property', path: 'properties.Colour', property: 'Colour', source: 'data_source', message: expect.stringContaining('Colour') },
    ]);
    expect(error.upstream.schemaContext).toMatchObject({ dataSourceId: fakeIds.tasksDataSource, contextSource: 'data_source' });
  });

  it('pages.create: a value of the wrong type is refused', async () => {
    const { issues } = await refused('notion.pages.create', {
      parent: { data_source_id: fakeIds.tasksDataSource },
      properties: { Name: { title: [] }, Estimate: { rich_text: [{ text: { content: 'three' } }] } },
    });
    expect(calls()).toEqual([`GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    expect(issues).toEqual([expect.objectContaining({ kind: 'property_type_mismatch', path: 'properties.Estimate', property: 'Estimate' })]);
  });

  it('pages.create under a page: only "title" is allowed, refused with no request at all', async () => {
    const { issues } = await refused('notion.pages.create', { parent: { page_id: fakeIds.roadmapPage }, properties: { title: { title: [] }, Status: { status: { name: 'Done' } } } });
    expect(calls()).toEqual([]);
    expect(issues).toEqual([expect.objectContaining({ kind: 'unknown_property', property: 'Status', source: 'page_parent' })]);
  });

  it('pages.create with a database of several data sources asks for a data source id', async () => {
    const { issues } = await refused('notion.pages.create', { parent: { database_id: fakeIds.splitDatabase }, properties: { Name: { title: [] } } });
    expect(calls()).toEqual([`GET /v1/databases/${fakeIds.splitDatabase}`]);
    expect(issues).toEqual([expect.objectContaining({ kind: 'unresolved_schema', path: 'parent.database_id' })]);
  });

  it('pages.update: an unknown property is refused after page + schema reads, before the PATCH', async () => {
    const { issues } = await refused('notion.pages.update', { page_id: fakeIds.taskPage1, properties: { Stauts: { status: { name: 'Done' } } } });
    expect(calls()).toEqual([`GET /v1/pages/${fakeIds.taskPage1}`, `GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    expect(issues).toEqual([expect.objectContaining({ kind: 'unknown_property', property: 'Stauts', source: 'page_parent' })]);
    expect(fake.page(fakeIds.taskPage1)!.last_edited_time).toBe('2026-01-12T10:00:00.000Z');
  });

  it('data_sources.query: unknown filter properties are found inside nested and/or', async () => {
    const { issues } = await refused('notion.data_sources.query', {
      data_source_id: fakeIds.tasksDataSource,
      filter: {
        and: [
          { property: 'Status', status: { equals: 'Done' } },
          { or: [{ property: 'Estimate', number: { equals: 1 } }, { and: [{ property: 'Assignee', people: { is_empty: true } }] }] },
          { property: 'Missing', checkbox: { equals: true } },
        ],
      },
    });
    expect(calls()).toEqual([`GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    expect(issues.map((i) => [i.kind, i.path, i.property])).toEqual([
      ['unknown_filter_property', 'filter.and.1.or.1.and.0.property', 'Assignee'],
      ['unknown_filter_property', 'filter.and.2.property', 'Missing'],
    ]);
  });

  it('data_sources.query: unknown sort properties are refused; timestamp sorts need no schema', async () => {
    const { issues } = await refused('notion.data_sources.query', {
      data_source_id: fakeIds.tasksDataSource,
      sorts: [{ timestamp: 'last_edited_time', direction: 'descending' }, { property: 'Rank', direction: 'ascending' }],
    });
    expect(calls()).toEqual([`GET /v1/data_sources/${fakeIds.tasksDataSource}`]);
    expect(issues).toEqual([expect.objectContaining({ kind: 'unknown_sort_property', path: 'sorts.1.property', property: 'Rank' })]);
  });

  it('property ids (raw and URL-decoded) are accepted as well as names', async () => {
    const run = await runCapability(
      connector,
      'notion.data_sources.query',
      { data_source_id: fakeIds.tasksDataSource, filter: { property: 'st:u', status: { equals: 'Todo' } }, sorts: [{ property: 'es%3At', direction: 'ascending' }] },
      { token },
    );
    expect(run.status).toBe('completed');
  });
});

describe('preflight checks (properties)', () => {
  const context: SchemaContext = {
    contextSource: 'data_source',
    dataSourceId: 'ds',
    properties: [
      { id: 'title', name: 'Name', type: 'title' },
      { id: 'a%3Ab', name: 'Status', type: 'status' },
    ],
    resolvedVia: ['data_source'],
    sourcePageId: null,
  };
  const known = fc.constantFrom('Name', 'Status', 'title', 'a%3Ab', 'a:b');
  const unknownName = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !['Name', 'Status', 'title', 'a%3Ab', 'a:b'].includes(s));
  type Tree = { property: string } | { and: Tree[] } | { or: Tree[] };
  const { tree } = fc.letrec<{ tree: Tree; leaf: Tree }>((tie) => ({
    leaf: fc.oneof(known, unknownName).map((property) => ({ property })),
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    ),
  }));

  const leaves = (node: Tree): string[] =>
    'property' in node ? [node.property] : 'and' in node ? node.and.flatMap(leaves) : node.or.flatMap(leaves);

  it('reports exactly the unknown leaves of any filter tree, with paths that point at them', () => {
    fc.assert(
      fc.property(tree, (filter) => {
        const issues = checkFilter(filter, context);
        const unknown = leaves(filter).filter((p) => !['Name', 'Status', 'title', 'a%3Ab', 'a:b'].includes(p));
        expect(issues.map((i) => i.property)).toEqual(unknown);
        for (const issue of issues) {
          const target = issue.path
            .split('.')
            .slice(1, -1)
            .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], filter) as { property: string };
          expect(target.property).toBe(issue.property);
        }
      }),
    );
  });

  it('accepts known properties and sorts, refuses everything else', () => {
    expect(checkProperties({ Name: { title: [] }, 'a:b': { status: { name: 'x' } } }, context)).toEqual([]);
    expect(checkSorts([{ property: 'Status', direction: 'ascending' }, { timestamp: 'created_time', direction: 'ascending' }], context)).toEqual([]);
    fc.assert(
      fc.property(unknownName, (name) => {
        expect(checkProperties({ [name]: { number: 1 } }, context)).toHaveLength(1);
        expect(checkSorts([{ property: name, direction: 'ascending' }], context)).toHaveLength(1);
      }),
    );
  });
});
