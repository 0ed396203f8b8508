import { createHmac } from 'node:crypto';

export interface IssueOpenedPayloadOptions {
  repo?: string;
  number?: number;
  title?: string;
  body?: string | null;
  labels?: string[];
  author?: string;
  installationId?: number;
}

const user = (login: string, id: number) => ({
  login,
  id,
  node_id: `MDQ6VXNlcj${id}`,
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  gravatar_id: '',
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  type: 'User',
  user_view_type: 'public',
  site_admin: false,
});

/** An `issues` webhook body with `action: "opened"`, shaped like a real delivery (trimmed URLs). */
export function issueOpenedPayload(options: IssueOpenedPayloadOptions = {}): Record<string, unknown> {
  const fullName = options.repo ?? 'octo-org/widgets';
  const [owner, name] = fullName.split('/') as [string, string];
  const number = options.number ?? 7;
  const author = user(options.author ?? 'monalisa', 583231);
  const api = `https://api.github.com/repos/${fullName}`;
  return {
    action: 'opened',
    issue: {
      url: `${api}/issues/${number}`,
      repository_url: api,
      labels_url: `${api}/issues/${number}/labels{/name}`,
      comments_url: `${api}/issues/${number}/comments`,
      events_url: `${api}/issues/${number}/events`,
      html_url: `https://github.com/${fullName}/issues/${number}`,
      id: 2_600_000_000 + number,
      node_id: `I_kwDOAbCdEf6${number}`,
      number,
      title: options.title ?? 'Widget crashes on startup',
      user: author,
      labels: (options.labels ?? ['bug']).map((label, i) => ({
        id: 7_000_000_000 + i,
        node_id: `LA_kwDOAbCdEf8AAAAB${i}`,
        url: `${api}/labels/${encodeURIComponent(label)}`,
        name: label,
        color: 'd73a4a',
        default: label === 'bug',
        description: null,
      })),
      state: 'open',
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: 0,
      created_at: '2026-01-05T09:00:00Z',
      updated_at: '2026-01-05T09:00:00Z',
      closed_at: null,
      author_association: 'CONTRIBUTOR',
      type: null,
      active_lock_reason: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
      body: options.body === undefined ? 'Steps: run `widgets start` on a clean checkout.' : options.body,
      reactions: { url: `${api}/issues/${number}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      timeline_url: `${api}/issues/${number}/timeline`,
      performed_via_github_app: null,
      state_reason: null,
    },
    repository: {
      id: 123_456_789,
      node_id: 'R_kgDOHaBcDe',
      name,
      full_name: fullName,
      private: false,
      owner: { ...user(owner, 9_919), type: 'Organization' },
      html_url: `https://github.com/${fullName}`,
      description: 'Widgets, for everyone',
      fork: false,
      url: api,
      created_at: '2025-06-01T10:00:00Z',
      updated_at: '2026-01-05T08:00:00Z',
      pushed_at: '2026-01-05T08:00:00Z',
      default_branch: 'main',
      visibility: 'public',
      open_issues_count: 3,
      has_issues: true,
    },
    organization: { login: owner, id: 9_919, node_id: 'O_kgDOAAAm_w', url: `https://api.github.com/orgs/${owner}` },
    sender: author,
    ...(options.installationId ? { installation: { id: options.installationId, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u' } } : {}),
  };
}

/** The `X-Hub-Signature-256` value GitHub sends for `rawBody` under `secret`. */
export function signGitHubPayload(rawBody: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
