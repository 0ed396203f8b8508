import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { ActorSchema, AuthBindingSchema, IssueFieldsSchema, IssueNumberSchema, RepoSchema, splitRepo } from '../schemas';
import { WireIssueSchema, issueFields } from '../wire';

export const IssueFetchInputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
});

export const IssueFetchOutputSchema = IssueFieldsSchema.extend({
  fetchedBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function issueFetch(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.issue.fetch',
      displayName: 'Fetch an issue',
      description: 'Fetches one issue by number (GET /repos/{owner}/{repo}/issues/{issue_number}).',
      past: 'fetched',
      input: IssueFetchInputSchema,
      output: IssueFetchOutputSchema,
      normalizedId: 'work_item.fetch',
      actionName: 'work_item_fetch',
      sdkMethod: 'issues.get',
      route: 'GET /repos/{owner}/{repo}/issues/{issue_number}',
      describe: (input) => ({ method: 'GET', path: `/repos/${input.repo}/issues/${input.issueNumber}` }),
      call: (client, input) => client.rest.issues.get({ ...splitRepo(input.repo), issue_number: input.issueNumber }),
      project: (response, input, meta) => ({
        ...issueFields(input.repo, WireIssueSchema.parse(response.data)),
        fetchedBy: meta.actor,
        authBinding: meta.authBinding,
      }),
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, state: output.state }),
    },
    options,
  );
}
