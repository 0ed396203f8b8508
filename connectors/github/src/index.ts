export { github, gitHubInstallBinding, GITHUB_CONNECTOR_ID } from './connector';
export {
  GitHubOptionsSchema,
  DEFAULT_BASE_URL,
  DEFAULT_API_VERSION,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type GitHubOptions,
  type ResolvedGitHubOptions,
  type FetchLike,
} from './options';
export { mapGitHubError, retryAfterMsOf, SECONDARY_RATE_LIMIT_DEFAULT_MS, type ErrorMappingContext } from './error-mapper';
export { parsePageLinks, type PageLinks } from './link-header';
export { GITHUB_SCOPE } from './operation';
export * from './schemas';
export { IssueListInputSchema, IssueListOutputSchema } from './operations/issue-list';
export { IssueFetchInputSchema, IssueFetchOutputSchema } from './operations/issue-fetch';
export { IssueCreateInputSchema, IssueCreateOutputSchema } from './operations/issue-create';
export { IssueUpdateInputSchema, IssueUpdateOutputSchema } from './operations/issue-update';
export { IssueLabelInputSchema, IssueLabelOutputSchema } from './operations/issue-label';
export { IssueCloseInputSchema, IssueCloseOutputSchema } from './operations/issue-close';
export { CommentCreateInputSchema, CommentCreateOutputSchema } from './operations/comment-create';
export { CommentUpdateInputSchema, CommentUpdateOutputSchema } from './operations/comment-update';
export {
  IssueOpenedSignalSchema,
  IssueOpenedConfigSchema,
  IssueOpenedOutputSchema,
  projectIssueOpened,
  GITHUB_DELIVERY_HEADER,
  type IssueOpenedSignal,
  type IssueOpenedOutput,
} from './triggers/issue-opened';
export { gitHubConformanceFixtures, CONFORMANCE_TOKEN, CONFORMANCE_SUBJECT, CONFORMANCE_SANDBOX_REPO } from './conformance-fixtures';
