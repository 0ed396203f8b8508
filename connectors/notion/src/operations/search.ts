import { z } from 'zod';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { CursorSchema, listOf, outputOf, PageSizeSchema, SearchResultSchema } from '../schemas';
import { scopes } from '../scopes';

export const SearchInputSchema = z.strictObject({
  query: z.string().max(2000).optional(),
  filter: z.strictObject({ property: z.literal('object'), value: z.enum(['page', 'data_source']) }).optional(),
  sort: z.strictObject({ timestamp: z.literal('last_edited_time'), direction: z.enum(['ascending', 'descending']) }).optional(),
  start_cursor: CursorSchema.optional(),
  page_size: PageSizeSchema.optional(),
});
export const SearchListSchema = listOf(SearchResultSchema);
export const SearchOutputSchema = outputOf(SearchListSchema);

export function searchSearch(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.search.search',
    name: 'search.search',
    displayName: 'Search pages and data sources',
    description: 'Searches pages and data sources shared with the integration by title (POST /v1/search), optionally filtered by object type and sorted by last edit.',
    input: SearchInputSchema,
    output: SearchOutputSchema,
    scopes: [scopes.contentRead],
    consumerSurface: { mode: 'common', normalizedId: 'content.search', actionName: 'content_search' },
    metadata: { sdk: 'search', http: 'POST /v1/search', schemaStrategy: 'static' },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.search.search',
          input,
          ctx,
          options,
          call: async (client) => {
            const request = { ...input };
            return { data: expectShape(SearchListSchema, await client.search(request), 'search result'), request };
          },
          summarize: (list) => ({ resultCount: list.results.length, hasMore: list.has_more }),
        },
        false,
      ),
  });
}
