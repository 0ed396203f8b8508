import { z } from 'zod';
import type { CreateCommentParameters } from '@notionhq/client';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { CommentSchema, NotionIdSchema, outputOf, RichTextRequestSchema } from '../schemas';
import { scopes } from '../scopes';

export const CreateCommentInputSchema = z.strictObject({
  parent: z.union([z.strictObject({ page_id: NotionIdSchema }), z.strictObject({ block_id: NotionIdSchema })]),
  rich_text: z.array(RichTextRequestSchema).min(1).max(100),
});
export const CreateCommentOutputSchema = outputOf(CommentSchema);

export function commentsCreate(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.comments.create',
    name: 'comments.create',
    displayName: 'Comment on a page or block',
    description: 'Adds a comment to a page or block (POST /v1/comments). The integration needs the "insert comments" capability.',
    input: CreateCommentInputSchema,
    output: CreateCommentOutputSchema,
    scopes: [scopes.commentInsert],
    consumerSurface: { mode: 'common', normalizedId: 'comment.create', actionName: 'comment_create' },
    metadata: { sdk: 'comments.create', http: 'POST /v1/comments', schemaStrategy: 'static' },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.comments.create',
          input,
          ctx,
          options,
          call: async (client) => {
            const request = { ...input };
            const comment = await client.comments.create(request as unknown as CreateCommentParameters);
            return { data: expectShape(CommentSchema, comment, 'comment'), request };
          },
          summarize: (comment) => ({ commentId: comment.id }),
        },
        false,
      ),
  });
}
