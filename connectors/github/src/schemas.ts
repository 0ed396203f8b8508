import { z } from 'zod';

/**
 * `owner/name`: the owner is a GitHub login (alphanumerics and single hyphens, at most 39
 * characters, no leading or trailing hyphen); the name is 1–100 of `[A-Za-z0-9._-]`, not `.`/`..`.
 */
export const REPO_PATTERN = /^(?!-)[A-Za-z0-9-]{1,39}(?<!-)\/(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

export const RepoSchema = z
  .string()
  .regex(REPO_PATTERN, 'repo must be "owner/name"')
  .describe('Repository as "owner/name", e.g. "octo-org/widgets"');

export const IssueNumberSchema = z.int().min(1).max(2_147_483_647).describe('Issue (or pull request) number, e.g. 42');
export const CommentIdSchema = z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Issue comment id');

export const LabelNameSchema = z.string().trim().min(1).max(50);
export const LoginSchema = z
  .string()
  .regex(/^(?!-)[A-Za-z0-9-]{1,39}(?<!-)$/, 'must be a GitHub login')
  .describe('GitHub login');

export const IssueStateSchema = z.enum(['open', 'closed']);
export const StateReasonSchema = z.enum(['completed', 'not_planned', 'reopened', 'duplicate']);
export const CloseReasonSchema = z.enum(['completed', 'not_planned', 'duplicate']);

export const TitleSchema = z.string().trim().min(1).max(256);
export const IssueBodySchema = z.string().max(65_536);
export const CommentBodySchema = z.string().trim().min(1).max(65_536);

/** `sha256:<hex>` of the lease's access token: identifies the binding without revealing it. */
export const AuthBindingSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const ActorSchema = z.string().min(1).describe('The lease subject that performed the call');

/** The projection of a GitHub issue shared by the work-item outputs. */
export const IssueFieldsSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  title: z.string(),
  body: z.string().nullable(),
  state: IssueStateSchema,
  stateReason: StateReasonSchema.nullable(),
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  author: z.string().nullable(),
  htmlUrl: z.url(),
  commentsCount: z.int().min(0),
  isPullRequest: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  closedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type IssueFields = z.infer<typeof IssueFieldsSchema>;

export const IssueSummarySchema = IssueFieldsSchema.pick({
  repo: true,
  issueNumber: true,
  title: true,
  state: true,
  labels: true,
  assignees: true,
  author: true,
  htmlUrl: true,
  commentsCount: true,
  isPullRequest: true,
  createdAt: true,
  updatedAt: true,
});
export type IssueSummary = z.infer<typeof IssueSummarySchema>;

export const CommentFieldsSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  commentId: CommentIdSchema,
  body: z.string(),
  author: z.string().nullable(),
  htmlUrl: z.url(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type CommentFields = z.infer<typeof CommentFieldsSchema>;

export function splitRepo(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split('/') as [string, string];
  return { owner, repo: name };
}
