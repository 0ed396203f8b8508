import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { ActorSchema, AuthBindingSchema, CommentBodySchema, CommentFieldsSchema, CommentIdSchema, RepoSchema, splitRepo } from '../schemas';
import { WireCommentSchema, commentFields, issueNumberFromUrl } from '../wire';

export const CommentUpdateInputSchema = z.strictObject({
  repo: RepoSchema,
  commentId: CommentIdSchema,
  body: CommentBodySchema,
});

export const CommentUpdateOutputSchema = CommentFieldsSchema.extend({
  updatedBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function commentUpdate(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.comment.update',
      displayName: 'Edit an issue comment',
      description: 'Replaces the body of an issue comment (PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}).',
      past: 'updated',
      input: CommentUpdateInputSchema,
      output: CommentUpdateOutputSchema,
      normalizedId: 'comment.update',
      actionName: 'comment_update',
      sdkMethod: 'issues.updateComment',
      route: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      describe: (input) => ({ method: 'PATCH', path: `/repos/${input.repo}/issues/comments/${input.commentId}`, body: { body: input.body } }),
      call: (client, input) => client.rest.issues.updateComment({ ...splitRepo(input.repo), comment_id: input.commentId, body: input.body }),
      project: (response, input, meta) => {
        const comment = WireCommentSchema.parse(response.data);
        const issueNumber = issueNumberFromUrl(comment.issue_url);
        if (issueNumber === null) throw new TypeError('comment.issue_url does not name an issue');
        return { ...commentFields(input.repo, comment, issueNumber), updatedBy: meta.actor, authBinding: meta.authBinding };
      },
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, commentId: output.commentId }),
    },
    options,
  );
}
