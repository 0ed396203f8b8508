import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { ActorSchema, AuthBindingSchema, CloseReasonSchema, IssueNumberSchema, IssueStateSchema, RepoSchema, StateReasonSchema, splitRepo } from '../schemas';
import { WireIssueSchema } from '../wire';

export const IssueCloseInputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  /** GitHub's `state_reason`; defaults to `completed` on GitHub's side. */
  stateReason: CloseReasonSchema.optional(),
});

export const IssueCloseOutputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  state: IssueStateSchema,
  stateReason: StateReasonSchema.nullable(),
  closedAt: z.iso.datetime({ offset: true }).nullable(),
  htmlUrl: z.url(),
  closedBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function issueClose(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.issue.close',
      displayName: 'Close an issue',
      description: 'Closes an issue (PATCH /repos/{owner}/{repo}/issues/{issue_number} with state=closed); closing a closed issue is a no-op.',
      past: 'closed',
      input: IssueCloseInputSchema,
      output: IssueCloseOutputSchema,
      normalizedId: 'work_item.close',
      actionName: 'work_item_close',
      sdkMethod: 'issues.update',
      route: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      describe: (input) => ({ method: 'PATCH', path: `/repos/${input.repo}/issues/${input.issueNumber}`, body: bodyOf(input) }),
      call: (client, input) => client.rest.issues.update({ ...splitRepo(input.repo), issue_number: input.issueNumber, ...bodyOf(input) }),
      project: (response, input, meta) => {
        const issue = WireIssueSchema.parse(response.data);
        return {
          repo: input.repo,
          issueNumber: issue.number,
          state: issue.state,
          stateReason: issue.state_reason ?? null,
          closedAt: issue.closed_at ?? null,
          htmlUrl: issue.html_url,
          closedBy: meta.actor,
          authBinding: meta.authBinding,
        };
      },
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, state: output.state, stateReason: output.stateReason }),
    },
    options,
  );
}

function bodyOf(input: z.output<typeof IssueCloseInputSchema>) {
  return { state: 'closed' as const, ...(input.stateReason === undefined ? {} : { state_reason: input.stateReason }) };
}
