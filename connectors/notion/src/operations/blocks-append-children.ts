import { z } from 'zod';
import type { AppendBlockChildrenParameters } from '@notionhq/client';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { BlockRequestSchema, BlockSchema, listOf, NotionIdSchema, outputOf } from '../schemas';
import { scopes } from '../scopes';

export const AppendChildrenInputSchema = z.strictObject({
  block_id: NotionIdSchema.describe('a block id, or a page id to append to the page body'),
  children: z.array(BlockRequestSchema).min(1).max(100),
  after: NotionIdSchema.optional().describe('append after this child block instead of at the end'),
});
export const AppendedBlocksSchema = listOf(BlockSchema);
export const AppendChildrenOutputSchema = outputOf(AppendedBlocksSchema);

export function blocksAppendChildren(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.blocks.append_children',
    name: 'blocks.append_children',
    displayName: 'Append child blocks',
    description: 'Appends up to 100 blocks to a block or page body (PATCH /v1/blocks/{id}/children) and returns the created blocks.',
    input: AppendChildrenInputSchema,
    output: AppendChildrenOutputSchema,
    scopes: [scopes.contentInsert],
    consumerSurface: { mode: 'common', normalizedId: 'block.children.append', actionName: 'block_children_append' },
    metadata: { sdk: 'blocks.children.append', http: 'PATCH /v1/blocks/{block_id}/children', schemaStrategy: 'static' },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.blocks.append_children',
          input,
          ctx,
          options,
          call: async (client) => {
            const request = { ...input };
            const appended = await client.blocks.children.append(request as unknown as AppendBlockChildrenParameters);
            return { data: expectShape(AppendedBlocksSchema, appended, 'block list'), request };
          },
          summarize: (list) => ({ blockId: input.block_id, appendedCount: list.results.length }),
        },
        false,
      ),
  });
}
