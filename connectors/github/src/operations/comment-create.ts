import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { ActorSchema, AuthBindingSchema, CommentBodySchema, CommentFieldsSchema, IssueNumberSchema, RepoSchema, splitRepo } from '../schemas';
import { WireCommentSchema, commentFields } from '../wire';

export const CommentCreateInputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  body: CommentBodySchema,
});

export const CommentCreateOutputSchema = CommentFieldsSchema.extend({
  createdBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function commentCreate(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.comment.create',
      displayName: 'Comment on an issue',
      description: 'Adds a comment to an issue or pull request (POST /repos/{owner}/{repo}/issues/{issue_number}/comments).',
      past: 'created',
      input: CommentCreateInputSchema,
      output: CommentCreateOutputSchema,
      normalizedId: 'comment.create',
      actionName: 'comment_create',
      sdkMethod: 'issues.createComment',
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      describe: (input) => ({ method: 'POST', path: `/repos/${input.repo}/issues/${input.issueNumber}/comments`, body: { body: input.body } }),
      call: (client, input) => client.rest.issues.createComment({ ...splitRepo(input.repo), issue_number: input.issueNumber, body: input.body }),
      project: (response, input, meta) => ({
        ...commentFields(input.repo, WireCommentSchema.parse(response.data), input.issueNumber),
        createdBy: meta.actor,
        authBinding: meta.authBinding,
      }),
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, commentId: output.commentId }),
    },
    options,
  );
}
