import { ensureLabel, stableInt, userObject, type CommentState, type IssueState, type LabelState, type RepoState } from './fake-github-state';

/** GitHub's REST JSON for labels, issues and comments, with URLs under the fake's API and web roots. */
export function wireFormat(api: () => string, web: () => string) {
  const repoUrl = (repo: RepoState) => `${api()}/repos/${repo.owner}/${repo.name}`;
  const labelJson = (repo: RepoState, label: LabelState) => ({
    id: label.id,
    node_id: `LA_${label.id.toString(36)}`,
    url: `${repoUrl(repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: ['bug', 'documentation', 'enhancement'].includes(label.name),
    description: label.description,
  });
  const issueJson = (repo: RepoState, issue: IssueState) => {
    const url = `${repoUrl(repo)}/issues/${issue.number}`;
    const html = `${web()}/${repo.owner}/${repo.name}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`;
    const comments = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length;
    const assignees = issue.assignees.map((login) => userObject(login, web(), api()));
    return {
      url,
      repository_url: repoUrl(repo),
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: html,
      id: stableInt(`issue:${repo.owner}/${repo.name}#${issue.number}`),
      node_id: `I_kwDO${stableInt(`issue-node:${repo.name}#${issue.number}`).toString(36)}`,
      number: issue.number,
      title: issue.title,
      user: userObject(issue.author, web(), api()),
      labels: issue.labels.map((name) => labelJson(repo, ensureLabel(repo, name))),
      state: issue.state,
      locked: false,
      assignee: assignees[0] ?? null,
      assignees,
      milestone: null,
      comments,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      author_association: issue.author === repo.owner ? 'OWNER' : 'CONTRIBUTOR',
      active_lock_reason: null,
      ...(issue.pullRequest
        ? { draft: false, pull_request: { url: `${repoUrl(repo)}/pulls/${issue.number}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: null } }
        : {}),
      body: issue.body,
      closed_by: issue.closedBy ? userObject(issue.closedBy, web(), api()) : null,
      reactions: { url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      state_reason: issue.stateReason,
      ...pinnedCommentJson(repo, issue),
    };
  };
  /** GitHub's `pinned_comment`: the issue comment, with `pin: { pinned_at, pinned_by }`. Absent when nothing is pinned. */
  const pinnedCommentJson = (repo: RepoState, issue: IssueState) => {
    const comment = issue.pinned ? repo.comments.get(issue.pinned.commentId) : undefined;
    if (!issue.pinned || !comment) return {};
    return { pinned_comment: { ...commentJson(repo, comment), pin: { pinned_at: issue.pinned.pinnedAt, pinned_by: userObject(issue.pinned.pinnedBy, web(), api()) } } };
  };
  const commentJson = (repo: RepoState, comment: CommentState) => ({
    url: `${repoUrl(repo)}/issues/comments/${comment.id}`,
    html_url: `${web()}/${repo.owner}/${repo.name}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoUrl(repo)}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: `IC_kwDO${comment.id.toString(36)}`,
    user: userObject(comment.author, web(), api()),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: comment.author === repo.owner ? 'OWNER' : 'CONTRIBUTOR',
    body: comment.body,
    reactions: { url: `${repoUrl(repo)}/issues/comments/${comment.id}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
    performed_via_github_app: null,
  });

  return { repoUrl, labelJson, issueJson, commentJson };
}
