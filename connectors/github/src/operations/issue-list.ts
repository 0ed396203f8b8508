import { z } from 'zod';
import { gitHubOperation } from '../operation';
import type { ResolvedGitHubOptions } from '../options';
import { parsePageLinks } from '../link-header';
import { ActorSchema, AuthBindingSchema, IssueSummarySchema, LabelNameSchema, RepoSchema, splitRepo } from '../schemas';
import { WireIssueListSchema, issueSummary } from '../wire';

export const IssueListInputSchema = z.strictObject({
  repo: RepoSchema,
  state: z.enum(['open', 'closed', 'all']).default('open'),
  /** Only issues carrying every one of these labels. */
  labels: z.array(LabelNameSchema.refine((name) => !name.includes(','), 'a label filter cannot contain a comma (GitHub joins them with commas)')).max(20).optional(),
  /** Only issues updated at or after this instant (GitHub `since`). */
  since: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(['created', 'updated', 'comments']).default('created'),
  direction: z.enum(['asc', 'desc']).default('desc'),
  page: z.int().min(1).max(100_000).default(1),
  perPage: z.int().min(1).max(100).default(30).describe('Items per page (GitHub per_page, 1–100)'),
});

export const IssueListOutputSchema = z.strictObject({
  repo: RepoSchema,
  state: z.enum(['open', 'closed', 'all']),
  page: z.int().min(1),
  perPage: z.int().min(1),
  /** Items on this page (GitHub's issue list also returns pull requests; see `isPullRequest`). */
  count: z.int().min(0),
  issues: z.array(IssueSummarySchema),
  /** From the `Link` header: the next page to request, or null on the last page. */
  nextPage: z.int().min(1).nullable(),
  lastPage: z.int().min(1).nullable(),
  hasNextPage: z.boolean(),
  listedBy: ActorSchema,
  authBinding: AuthBindingSchema,
});

export function issueList(options: ResolvedGitHubOptions) {
  return gitHubOperation(
    {
      id: 'github.issue.list',
      displayName: 'List issues',
      description: 'Lists one page of a repository\'s issues (GET /repos/{owner}/{repo}/issues); the output names the next page from the Link header.',
      past: 'listed',
      input: IssueListInputSchema,
      output: IssueListOutputSchema,
      normalizedId: 'work_item.list',
      actionName: 'work_item_list',
      sdkMethod: 'issues.listForRepo',
      route: 'GET /repos/{owner}/{repo}/issues',
      describe: (input) => ({ method: 'GET', path: `/repos/${input.repo}/issues`, query: queryOf(input) }),
      call: (client, input) => client.rest.issues.listForRepo({ ...splitRepo(input.repo), ...queryOf(input) }),
      project: (response, input, meta) => {
        const issues = WireIssueListSchema.parse(response.data).map((issue) => issueSummary(input.repo, issue));
        const links = parsePageLinks(headerOf(response.headers, 'link'));
        return {
          repo: input.repo,
          state: input.state,
          page: input.page,
          perPage: input.perPage,
          count: issues.length,
          issues,
          nextPage: links.next,
          lastPage: links.last ?? (links.next === null ? input.page : null),
          hasNextPage: links.next !== null,
          listedBy: meta.actor,
          authBinding: meta.authBinding,
        };
      },
      summarize: (output) => ({ repo: output.repo, state: output.state, page: output.page, count: output.count, nextPage: output.nextPage }),
    },
    options,
  );
}

function queryOf(input: z.output<typeof IssueListInputSchema>) {
  return {
    state: input.state,
    sort: input.sort,
    direction: input.direction,
    page: input.page,
    per_page: input.perPage,
    ...(input.labels?.length ? { labels: input.labels.join(',') } : {}),
    ...(input.since ? { since: input.since } : {}),
  };
}

function headerOf(headers: Record<string, string | number | undefined>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === undefined ? undefined : String(value);
}
