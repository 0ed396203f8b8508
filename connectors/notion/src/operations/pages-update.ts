import { z } from 'zod';
import type { UpdatePageParameters } from '@notionhq/client';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { assertNoIssues, checkPageParentProperties, checkProperties } from '../preflight';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { fromPageParent, summarize, type SchemaContext } from '../schema-context';
import { IconRequestSchema, lateBoundOutputOf, NotionIdSchema, PageSchema, PropertiesRequestSchema } from '../schemas';
import { scopes } from '../scopes';

export const UpdatePageInputSchema = z.strictObject({
  page_id: NotionIdSchema,
  properties: PropertiesRequestSchema.optional(),
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional().describe('deprecated alias of in_trash'),
  is_locked: z.boolean().optional(),
  icon: IconRequestSchema.optional(),
  cover: IconRequestSchema.optional(),
});
export const UpdatePageOutputSchema = lateBoundOutputOf(PageSchema);

export function pagesUpdate(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.pages.update',
    name: 'pages.update',
    displayName: 'Update a page',
    description:
      "Updates a page's properties, trash state, lock, icon or cover (PATCH /v1/pages/{id}). Property names are checked against the page's parent data source schema first; unknown properties are refused before anything is written.",
    input: UpdatePageInputSchema,
    output: UpdatePageOutputSchema,
    scopes: [scopes.contentUpdate],
    schemaPolicy: { input: 'dynamic', output: 'dynamic' },
    consumerSurface: { mode: 'common', normalizedId: 'page.update', actionName: 'page_update' },
    metadata: {
      sdk: 'pages.update',
      http: 'PATCH /v1/pages/{page_id}',
      schemaStrategy: 'late_bound_input_output',
      schemaSlots: [
        { surface: 'input', path: ['properties'], kind: 'data_source_properties', source: 'page_parent_data_source' },
        { surface: 'output', path: ['data', 'properties'], kind: 'data_source_properties', source: 'page_parent_data_source' },
      ],
    },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.pages.update',
          input,
          ctx,
          options,
          call: async (client) => {
            let context: SchemaContext | null = null;
            if (input.properties && Object.keys(input.properties).length > 0) {
              const current = expectShape(PageSchema, await client.pages.retrieve({ page_id: input.page_id }), 'page');
              context = await fromPageParent(client, current);
              if (context && context.contextSource === 'none') {
                assertNoIssues([{ kind: 'unresolved_schema', path: 'page_id', property: null, source: 'database', message: context.unresolvedReason ?? 'no data source' }], context);
              }
              const isPageChild = current.parent.type === 'page_id' || current.parent.type === 'workspace' || current.parent.type === 'block_id';
              if (context) assertNoIssues(checkProperties(input.properties, context), context);
              else if (isPageChild) assertNoIssues(checkPageParentProperties(input.properties), null);
            }
            const { page_id, ...changes } = input;
            const request = { page_id, ...changes };
            const page = await client.pages.update(request as unknown as UpdatePageParameters);
            return { data: expectShape(PageSchema, page, 'page'), request, schemaContext: summarize(context) };
          },
          summarize: (page) => ({ pageId: page.id }),
        },
        true,
      ),
  });
}
