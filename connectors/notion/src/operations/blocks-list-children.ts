import { z } from 'zod';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { BlockSchema, CursorSchema, listOf, NotionIdSchema, outputOf, PageSizeSchema } from '../schemas';
import { scopes } from '../scopes';

export const ListChildrenInputSchema = z.strictObject({
  block_id: NotionIdSchema.describe('a block id, or a page id for the page body'),
  start_cursor: CursorSchema.optional(),
  page_size: PageSizeSchema.optional(),
});
export const BlockListSchema = listOf(BlockSchema);
export const ListChildrenOutputSchema = outputOf(BlockListSchema);

export function blocksListChildren(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.blocks.list_children',
    name: 'blocks.list_children',
    displayName: 'List child blocks',
    description: 'Lists the first-level child blocks of a block or page (GET /v1/blocks/{id}/children), one page of results at a time.',
    input: ListChildrenInputSchema,
    output: ListChildrenOutputSchema,
    scopes: [scopes.contentRead],
    consumerSurface: { mode: 'common', normalizedId: 'block.children.list', actionName: 'block_children_list' },
    metadata: { sdk: 'blocks.children.list', http: 'GET /v1/blocks/{block_id}/children', schemaStrategy: 'static' },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.blocks.list_children',
          input,
          ctx,
          options,
          call: async (client) => {
            const request = { ...input };
            return { data: expectShape(BlockListSchema, await client.blocks.children.list(request), 'block list'), request };
          },
          summarize: (list) => ({ blockId: input.block_id, resultCount: list.results.length, hasMore: list.has_more }),
        },
        false,
      ),
  });
}
