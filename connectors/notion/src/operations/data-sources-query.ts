import { z } from 'zod';
import type { QueryDataSourceParameters } from '@notionhq/client';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { assertNoIssues, checkFilter, checkSorts } from '../preflight';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { fromDataSource, summarize } from '../schema-context';
import { CursorSchema, DataSourceFilterSchema, lateBoundOutputOf, listOf, NotionIdSchema, PageSizeSchema, SearchResultSchema, SortSchema } from '../schemas';
import { scopes } from '../scopes';

export const QueryDataSourceInputSchema = z.strictObject({
  data_source_id: NotionIdSchema,
  filter: DataSourceFilterSchema.optional(),
  sorts: z.array(SortSchema).max(100).optional(),
  start_cursor: CursorSchema.optional(),
  page_size: PageSizeSchema.optional(),
});
export const QueryResultListSchema = listOf(SearchResultSchema);
export const QueryDataSourceOutputSchema = lateBoundOutputOf(QueryResultListSchema);

export function dataSourcesQuery(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.data_sources.query',
    name: 'data_sources.query',
    displayName: 'Query a data source',
    description:
      'Queries the pages of a data source with an optional filter (property or timestamp conditions, nested and/or) and sorts (POST /v1/data_sources/{id}/query). Filter and sort properties are checked against the live schema first.',
    input: QueryDataSourceInputSchema,
    output: QueryDataSourceOutputSchema,
    scopes: [scopes.contentRead],
    schemaPolicy: { input: 'dynamic', output: 'dynamic' },
    consumerSurface: { mode: 'common', normalizedId: 'data_source.query', actionName: 'data_source_query' },
    metadata: {
      sdk: 'dataSources.query',
      http: 'POST /v1/data_sources/{data_source_id}/query',
      schemaStrategy: 'late_bound_input_output',
      schemaSlots: [
        { surface: 'input', path: ['filter'], kind: 'data_source_filter', source: 'data_source' },
        { surface: 'input', path: ['sorts'], kind: 'data_source_sorts', source: 'data_source' },
        { surface: 'output', path: ['data', 'results', '*', 'properties'], kind: 'data_source_properties', source: 'data_source' },
      ],
    },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.data_sources.query',
          input,
          ctx,
          options,
          call: async (client) => {
            const context = await fromDataSource(client, input.data_source_id);
            assertNoIssues([...checkFilter(input.filter, context), ...checkSorts(input.sorts, context)], context);
            const request = { ...input };
            const list = await client.dataSources.query(request as unknown as QueryDataSourceParameters);
            return { data: expectShape(QueryResultListSchema, list, 'query result'), request, schemaContext: summarize(context) };
          },
          summarize: (list) => ({ dataSourceId: input.data_source_id, resultCount: list.results.length, hasMore: list.has_more }),
        },
        true,
      ),
  });
}
