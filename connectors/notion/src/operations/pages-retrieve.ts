import { z } from 'zod';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { fromPageParent, summarize } from '../schema-context';
import { lateBoundOutputOf, NotionIdSchema, PageSchema } from '../schemas';
import { scopes } from '../scopes';

export const RetrievePageInputSchema = z.strictObject({ page_id: NotionIdSchema });
export const RetrievePageOutputSchema = lateBoundOutputOf(PageSchema);

export function pagesRetrieve(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.pages.retrieve',
    name: 'pages.retrieve',
    displayName: 'Retrieve a page',
    description: "Retrieves a page's properties (GET /v1/pages/{id}) and the property schema of its parent data source, when it has one.",
    input: RetrievePageInputSchema,
    output: RetrievePageOutputSchema,
    scopes: [scopes.contentRead],
    schemaPolicy: { output: 'dynamic' },
    consumerSurface: { mode: 'common', normalizedId: 'page.fetch', actionName: 'page_fetch' },
    metadata: {
      sdk: 'pages.retrieve',
      http: 'GET /v1/pages/{page_id}',
      schemaStrategy: 'late_bound_output',
      schemaSlots: [{ surface: 'output', path: ['data', 'properties'], kind: 'data_source_properties', source: 'page_parent_data_source' }],
    },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.pages.retrieve',
          input,
          ctx,
          options,
          call: async (client) => {
            const request = { page_id: input.page_id };
            const page = expectShape(PageSchema, await client.pages.retrieve(request), 'page');
            const context = await fromPageParent(client, page);
            return { data: page, request, schemaContext: summarize(context) };
          },
          summarize: (page) => ({ pageId: page.id }),
        },
        true,
      ),
  });
}
