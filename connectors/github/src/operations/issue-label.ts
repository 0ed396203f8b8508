import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { ActorSchema, AuthBindingSchema, IssueNumberSchema, LabelNameSchema, RepoSchema, splitRepo } from '../schemas';
import { WireLabelListSchema } from '../wire';

export const IssueLabelInputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  /** Labels to add; GitHub creates labels that do not exist yet. */
  labels: z.array(LabelNameSchema).min(1).max(100),
});

export const IssueLabelOutputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  /** Every label on the issue after the call. */
  labels: z.array(z.string()),
  added: z.array(z.string()),
  labeledBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function issueLabel(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.issue.label',
      displayName: 'Add labels to an issue',
      description: 'Adds labels to an issue (POST /repos/{owner}/{repo}/issues/{issue_number}/labels) and returns all of its labels.',
      past: 'labeled',
      input: IssueLabelInputSchema,
      output: IssueLabelOutputSchema,
      normalizedId: 'work_item.label_add',
      actionName: 'work_item_label_add',
      sdkMethod: 'issues.addLabels',
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      describe: (input) => ({ method: 'POST', path: `/repos/${input.repo}/issues/${input.issueNumber}/labels`, body: { labels: input.labels } }),
      call: (client, input) => client.rest.issues.addLabels({ ...splitRepo(input.repo), issue_number: input.issueNumber, labels: input.labels }),
      project: (response, input, meta) => ({
        repo: input.repo,
        issueNumber: input.issueNumber,
        labels: WireLabelListSchema.parse(response.data).map((label) => label.name),
        added: [...new Set(input.labels)],
        labeledBy: meta.actor,
        authBinding: meta.authBinding,
      }),
      summarize: (output) => ({ repo: output.repo, issueNumber: output.issueNumber, labelCount: output.labels.length }),
    },
    options,
  );
}
