import { z } from 'zod';
import type { CommentFields, IssueFields, IssueSummary } from './schemas';

/**
 * The parts of GitHub's REST wire format this connector reads. Loose objects: GitHub adds fields
 * over time and the connector must keep working; only what the outputs need is required.
 */
const WireUserSchema = z.looseObject({ login: z.string() });

const WireLabelSchema = z.union([z.string(), z.looseObject({ name: z.string() })]);

export const WireIssueSchema = z.looseObject({
  number: z.int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.enum(['open', 'closed']),
  state_reason: z.enum(['completed', 'not_planned', 'reopened', 'duplicate']).nullish(),
  labels: z.array(WireLabelSchema).default([]),
  assignees: z.array(WireUserSchema).nullish(),
  user: WireUserSchema.nullish(),
  html_url: z.string(),
  comments: z.int().min(0).default(0),
  pull_request: z.looseObject({}).nullish(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullish(),
});
export type WireIssue = z.infer<typeof WireIssueSchema>;

export const WireIssueListSchema = z.array(WireIssueSchema);
export const WireLabelListSchema = z.array(z.looseObject({ name: z.string() }));

export const WireCommentSchema = z.looseObject({
  id: z.int().positive(),
  body: z.string().nullish(),
  user: WireUserSchema.nullish(),
  html_url: z.string(),
  issue_url: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WireComment = z.infer<typeof WireCommentSchema>;

const labelName = (label: z.infer<typeof WireLabelSchema>): string => (typeof label === 'string' ? label : label.name);

export function issueFields(repo: string, issue: WireIssue): IssueFields {
  return {
    repo,
    issueNumber: issue.number,
    title: issue.title,
    body: issue.body ?? null,
    state: issue.state,
    stateReason: issue.state_reason ?? null,
    labels: issue.labels.map(labelName),
    assignees: (issue.assignees ?? []).map((a) => a.login),
    author: issue.user?.login ?? null,
    htmlUrl: issue.html_url,
    commentsCount: issue.comments,
    isPullRequest: issue.pull_request != null,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    closedAt: issue.closed_at ?? null,
  };
}

export function issueSummary(repo: string, issue: WireIssue): IssueSummary {
  const { body: _body, stateReason: _reason, closedAt: _closed, ...summary } = issueFields(repo, issue);
  return summary;
}

/** The issue number from a comment's `issue_url` (`…/repos/o/r/issues/42`). */
export function issueNumberFromUrl(url: string): number | null {
  const match = /\/issues\/(\d+)$/.exec(url);
  return match ? Number(match[1]) : null;
}

export function commentFields(repo: string, comment: WireComment, issueNumber: number): CommentFields {
  return {
    repo,
    issueNumber,
    commentId: comment.id,
    body: comment.body ?? '',
    author: comment.user?.login ?? null,
    htmlUrl: comment.html_url,
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
  };
}
