import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import {
  ActorSchema,
  AuthBindingSchema,
  IssueBodySchema,
  IssueFieldsSchema,
  IssueNumberSchema,
  IssueStateSchema,
  LabelNameSchema,
  LoginSchema,
  RepoSchema,
  StateReasonSchema,
  TitleSchema,
  splitRepo,
} from '../schemas';
import { WireIssueSchema, issueFields } from '../wire';

const changeKeys = ['title', 'body', 'state', 'stateReason', 'labels', 'assignees'] as const;

export const IssueUpdateInputSchema = z
  .strictObject({
    repo: RepoSchema,
    issueNumber: IssueNumberSchema,
    title: TitleSchema.optional(),
    /** `null` clears the body. */
    body: IssueBodySchema.nullable().optional(),
    state: IssueStateSchema.optional(),
    stateReason: StateReasonSchema.optional(),
    /** Replaces every label on the issue (an empty array removes them all). */
    labels: z.array(LabelNameSchema).max(100).optional(),
    /** Replaces the assignees (an empty array removes them all). */
    assignees: z.array(LoginSchema).max(10).optional(),
  })
  .refine((input) => changeKeys.some((key) => input[key] !== undefined), {
    message: `name at least one change: ${changeKeys.join(', ')}`,
  });

export const IssueUpdateOutputSchema = IssueFieldsSchema.extend({
  updatedBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function issueUpdate(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.issue.update',
      displayName: 'Update an issue',
      description: 'Edits an issue (PATCH /repos/{owner}/{repo}/issues/{issue_number}): title, body, state, labels (replace) and assignees (replace).',
      past: 'updated',
      input: IssueUpdateInputSchema,
      output: IssueUpdateOutputSchema,
      normalizedId: 'work_item.update',
      actionName: 'work_item_update',
      sdkMethod: 'issues.update',
      route: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      describe: (input) => ({ method: 'PATCH', path: `/repos/${input.repo}/issues/${input.issueNumber}`, body: bodyOf(input) }),
      call: (client, input) => client.rest.issues.update({ ...splitRepo(input.repo), issue_number: input.issueNumber, ...bodyOf(input) }),
      project: (response, input, meta) => ({
        ...issueFields(input.repo, WireIssueSchema.parse(response.data)),
        updatedBy: meta.actor,
        authBinding: meta.authBinding,
      }),
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, state: output.state }),
    },
    options,
  );
}

function bodyOf(input: z.output<typeof IssueUpdateInputSchema>) {
  return {
    ...(input.title === undefined ? {} : { title: input.title }),
    ...(input.body === undefined ? {} : { body: input.body }),
    ...(input.state === undefined ? {} : { state: input.state }),
    ...(input.stateReason === undefined ? {} : { state_reason: input.stateReason }),
    ...(input.labels === undefined ? {} : { labels: input.labels }),
    ...(input.assignees === undefined ? {} : { assignees: input.assignees }),
  };
}
