import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { ActorSchema, AuthBindingSchema, IssueBodySchema, IssueFieldsSchema, LabelNameSchema, LoginSchema, RepoSchema, TitleSchema, splitRepo } from '../schemas';
import { WireIssueSchema, issueFields } from '../wire';

export const IssueCreateInputSchema = z.strictObject({
  repo: RepoSchema,
  title: TitleSchema,
  body: IssueBodySchema.optional(),
  labels: z.array(LabelNameSchema).max(100).optional(),
  assignees: z.array(LoginSchema).max(10).optional(),
});

export const IssueCreateOutputSchema = IssueFieldsSchema.extend({
  openedBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function issueCreate(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.issue.create',
      displayName: 'Create an issue',
      description: 'Opens an issue (POST /repos/{owner}/{repo}/issues) with optional body, labels and assignees.',
      past: 'created',
      input: IssueCreateInputSchema,
      output: IssueCreateOutputSchema,
      normalizedId: 'work_item.create',
      actionName: 'work_item_create',
      sdkMethod: 'issues.create',
      route: 'POST /repos/{owner}/{repo}/issues',
      describe: (input) => ({ method: 'POST', path: `/repos/${input.repo}/issues`, body: bodyOf(input) }),
      call: (client, input) => client.rest.issues.create({ ...splitRepo(input.repo), ...bodyOf(input) }),
      project: (response, input, meta) => ({
        ...issueFields(input.repo, WireIssueSchema.parse(response.data)),
        openedBy: meta.actor,
        authBinding: meta.authBinding,
      }),
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, state: output.state }),
    },
    options,
  );
}

function bodyOf(input: z.output<typeof IssueCreateInputSchema>) {
  return {
    title: input.title,
    ...(input.body === undefined ? {} : { body: input.body }),
    ...(input.labels === undefined ? {} : { labels: input.labels }),
    ...(input.assignees === undefined ? {} : { assignees: input.assignees }),
  };
}
