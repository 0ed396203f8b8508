import { z } from 'zod';
import type { CreatePageParameters } from '@notionhq/client';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { assertNoIssues, checkPageParentProperties, checkProperties } from '../preflight';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { fromDatabase, fromDataSource, summarize, type SchemaContext } from '../schema-context';
import { BlockRequestSchema, IconRequestSchema, lateBoundOutputOf, NotionIdSchema, PageSchema, PropertiesRequestSchema } from '../schemas';
import { scopes } from '../scopes';

export const CreatePageInputSchema = z.strictObject({
  parent: z.union([
    z.strictObject({ data_source_id: NotionIdSchema }),
    z.strictObject({ page_id: NotionIdSchema }),
    z.strictObject({ database_id: NotionIdSchema }).describe('legacy: a database with exactly one data source'),
  ]),
  properties: PropertiesRequestSchema,
  children: z.array(BlockRequestSchema).max(100).optional(),
  icon: IconRequestSchema.optional(),
  cover: IconRequestSchema.optional(),
});
export const CreatePageOutputSchema = lateBoundOutputOf(PageSchema);

export function pagesCreate(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.pages.create',
    name: 'pages.create',
    displayName: 'Create a page',
    description:
      'Creates a page in a data source or under a page (POST /v1/pages). Property names are checked against the live data source schema first; unknown properties are refused before anything is written.',
    input: CreatePageInputSchema,
    output: CreatePageOutputSchema,
    scopes: [scopes.contentInsert],
    schemaPolicy: { input: 'dynamic' },
    consumerSurface: { mode: 'common', normalizedId: 'page.create', actionName: 'page_create' },
    metadata: {
      sdk: 'pages.create',
      http: 'POST /v1/pages',
      schemaStrategy: 'late_bound_input',
      schemaSlots: [{ surface: 'input', path: ['properties'], kind: 'data_source_properties', source: 'parent_data_source' }],
    },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.pages.create',
          input,
          ctx,
          options,
          call: async (client) => {
            const parent = input.parent;
            let context: SchemaContext | null = null;
            if ('data_source_id' in parent) context = await fromDataSource(client, parent.data_source_id);
            else if ('database_id' in parent) context = await fromDatabase(client, parent.database_id);
            if (context && context.contextSource === 'none') {
              assertNoIssues([{ kind: 'unresolved_schema', path: 'parent.database_id', property: null, source: 'database', message: context.unresolvedReason ?? 'no data source' }], context);
            }
            assertNoIssues(context ? checkProperties(input.properties, context) : checkPageParentProperties(input.properties), context);
            const request = {
              // A resolved database parent is sent as its data source, the 2025-09-03 parent form.
              parent: context?.dataSourceId ? { type: 'data_source_id', data_source_id: context.dataSourceId } : parent,
              properties: input.properties,
              ...(input.children ? { children: input.children } : {}),
              ...(input.icon !== undefined ? { icon: input.icon } : {}),
              ...(input.cover !== undefined ? { cover: input.cover } : {}),
            };
            const page = await client.pages.create(request as unknown as CreatePageParameters);
            return { data: expectShape(PageSchema, page, 'page'), request, schemaContext: summarize(context) };
          },
          summarize: (page) => ({ pageId: page.id }),
        },
        true,
      ),
  });
}
