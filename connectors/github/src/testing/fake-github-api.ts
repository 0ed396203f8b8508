import { createHash } from 'node:crypto';

/** The simulated GitHub REST state and routes behind the fake server (see fake-github.ts). */

export interface FakeLabelSeed {
  name: string;
  color?: string;
  description?: string | null;
}

export interface FakeIssueSeed {
  number: number;
  title: string;
  body?: string | null;
  state?: 'open' | 'closed';
  stateReason?: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  labels?: string[];
  assignees?: string[];
  author?: string;
  pullRequest?: boolean;
  comments?: Array<{ id: number; body: string; author?: string }>;
}

export interface FakeRepoSeed {
  fullName: string;
  private?: boolean;
  issues?: FakeIssueSeed[];
}

interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

interface IssueState {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  author: string;
  pullRequest: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
}

interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

interface RepoState {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  labels: Map<string, LabelState>;
  issues: Map<number, IssueState>;
  comments: Map<number, CommentState>;
}

export const FAKE_GITHUB_TOKEN = 'gho_fake_github_token_0123456789abcdef';
export const FAKE_GITHUB_LOGIN = 'octocat';
export const BASE_TIME = Date.parse('2026-01-05T09:00:00Z');
export const DEFAULT_NOW = '2026-01-10T12:00:00Z';
export const DOCS = 'https://docs.github.com/rest';
const palette = ['d73a4a', 'a2eeef', '0075ca', '7057ff', '008672', 'e4e669', 'cfd3d7', 'd876e3'];

export function defaultFakeRepos(): FakeRepoSeed[] {
  return [
    {
      fullName: 'octo-org/widgets',
      issues: [
        {
          number: 1,
          title: 'Widget crashes on startup',
          body: 'Steps: run `widgets start` on a clean checkout.',
          labels: ['bug', 'triaged'],
          author: 'hubot',
          comments: [{ id: 1_000_000_001, body: 'I can reproduce this on main.', author: 'monalisa' }],
        },
        { number: 2, title: 'Add dark mode', body: null, labels: ['enhancement'], assignees: ['octocat'], author: 'monalisa' },
        { number: 3, title: 'Fix typo in README', body: 'teh → the', state: 'closed', stateReason: 'completed', labels: ['docs'], author: 'octocat' },
        { number: 4, title: 'Guard against empty config', body: 'Fixes #1', labels: ['bug'], author: 'hubot', pullRequest: true },
      ],
    },
    { fullName: 'octo-org/empty-repo', issues: [] },
  ];
}

const stableInt = (text: string, modulo = 2_000_000_000): number => {
  const digest = createHash('sha256').update(text).digest();
  return (digest.readUInt32BE(0) % modulo) + 1;
};
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const userObject = (login: string, web: string, api: string) => ({
  login,
  id: stableInt(`user:${login}`, 90_000_000),
  node_id: `U_${Buffer.from(login).toString('base64url')}`,
  avatar_url: `https://avatars.githubusercontent.com/u/${stableInt(`user:${login}`, 90_000_000)}?v=4`,
  gravatar_id: '',
  url: `${api}/users/${login}`,
  html_url: `${web}/${login}`,
  type: 'User',
  site_admin: false,
});

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export interface FakeRestApiOptions {
  repos: FakeRepoSeed[];
  /** ISO instant stamped on changes. */
  now: string;
  /** The API root URL (with any prefix) and the web root, known once the server listens. */
  api: () => string;
  web: () => string;
}

export interface FakeRestApi {
  route(method: string, path: string, query: Record<string, string>, body: unknown, login: string): Reply;
  issue(fullName: string, number: number): Record<string, unknown> | undefined;
}

export const errorReply = (status: number, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { message, documentation_url: DOCS, status: String(status), ...extra },
});

export function createFakeRestApi(options: FakeRestApiOptions): FakeRestApi {
  const { now, api, web } = options;
  const repos = new Map<string, RepoState>();
  let nextCommentId = 1_000_000_100;

  for (const seed of options.repos) {
    const [owner, name] = seed.fullName.split('/') as [string, string];
    const repo: RepoState = { id: stableInt(`repo:${seed.fullName}`, 900_000_000), owner, name, private: seed.private ?? false, labels: new Map(), issues: new Map(), comments: new Map() };
    for (const issue of seed.issues ?? []) {
      const createdAt = iso(BASE_TIME + issue.number * 3_600_000);
      for (const label of issue.labels ?? []) ensureLabel(repo, label);
      repo.issues.set(issue.number, {
        number: issue.number,
        title: issue.title,
        body: issue.body ?? null,
        state: issue.state ?? 'open',
        stateReason: issue.stateReason ?? null,
        labels: [...(issue.labels ?? [])],
        assignees: [...(issue.assignees ?? [])],
        author: issue.author ?? FAKE_GITHUB_LOGIN,
        pullRequest: issue.pullRequest ?? false,
        createdAt,
        updatedAt: createdAt,
        closedAt: issue.state === 'closed' ? iso(BASE_TIME + issue.number * 3_600_000 + 60_000) : null,
        closedBy: issue.state === 'closed' ? issue.author ?? FAKE_GITHUB_LOGIN : null,
      });
      for (const comment of issue.comments ?? []) {
        const at = iso(BASE_TIME + issue.number * 3_600_000 + 120_000);
        repo.comments.set(comment.id, { id: comment.id, issueNumber: issue.number, body: comment.body, author: comment.author ?? FAKE_GITHUB_LOGIN, createdAt: at, updatedAt: at });
      }
    }
    repos.set(seed.fullName.toLowerCase(), repo);
  }

  function ensureLabel(repo: RepoState, name: string): LabelState {
    const key = name.toLowerCase();
    const existing = repo.labels.get(key);
    if (existing) return existing;
    const label = { id: stableInt(`label:${repo.owner}/${repo.name}:${key}`), name, color: palette[stableInt(key, palette.length) - 1] ?? 'ededed', description: null };
    repo.labels.set(key, label);
    return label;
  }

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
    };
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

  const error = errorReply;
  const validation = (resource: string, field: string, code: string): Reply =>
    error(422, 'Validation Failed', { errors: [{ resource, code, field }], documentation_url: `${DOCS}/issues/issues` });

  function route(method: string, path: string, query: Record<string, string>, body: unknown, login: string): Reply {
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!repoMatch) return error(404, 'Not Found');
    const repo = repos.get(`${decodeURIComponent(repoMatch[1]!)}/${decodeURIComponent(repoMatch[2]!)}`.toLowerCase());
    if (!repo) return error(404, 'Not Found', { documentation_url: `${DOCS}/issues/issues` });
    const rest = repoMatch[3] ?? '';
    const input = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (rest === '/issues' && method === 'GET') return listIssues(repo, query);
    if (rest === '/issues' && method === 'POST') {
      if (typeof input.title !== 'string' && typeof input.title !== 'number') return error(422, 'Invalid request.\n\n"title" wasn\'t supplied.');
      const title = String(input.title);
      const issueBody = typeof input.body === 'string' ? input.body : null;
      const existing = [...repo.issues.values()].find((i) => i.title === title && i.body === issueBody && i.author === login);
      if (existing) return { status: 201, body: issueJson(repo, existing), headers: { location: `${repoUrl(repo)}/issues/${existing.number}` } };
      const number = Math.max(0, ...repo.issues.keys()) + 1;
      const labels = stringArray(input.labels);
      if (labels === null) return validation('Issue', 'labels', 'invalid');
      for (const label of labels) ensureLabel(repo, label);
      const createdAt = iso(BASE_TIME + number * 3_600_000);
      const issue: IssueState = {
        number,
        title,
        body: issueBody,
        state: 'open',
        stateReason: null,
        labels: dedupeLabels(labels),
        assignees: stringArray(input.assignees) ?? [],
        author: login,
        pullRequest: false,
        createdAt,
        updatedAt: createdAt,
        closedAt: null,
        closedBy: null,
      };
      repo.issues.set(number, issue);
      return { status: 201, body: issueJson(repo, issue), headers: { location: `${repoUrl(repo)}/issues/${number}` } };
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = repo.issues.get(Number(m[1]));
      if (!issue) return error(404, 'Not Found', { documentation_url: `${DOCS}/issues/issues#get-an-issue` });
      if (method === 'GET') return { status: 200, body: issueJson(repo, issue) };
      if (method === 'PATCH') return patchIssue(repo, issue, input, login);
      return error(404, 'Not Found');
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && method === 'POST') {
      const issue = repo.issues.get(Number(m[1]));
      if (!issue) return error(404, 'Not Found', { documentation_url: `${DOCS}/issues/labels#add-labels-to-an-issue` });
      const labels = Array.isArray(body) ? stringArray(body) : stringArray(input.labels);
      if (labels === null || labels.length === 0) return validation('Label', 'labels', 'invalid');
      for (const label of labels) ensureLabel(repo, label);
      const before = issue.labels.join('\n');
      issue.labels = dedupeLabels([...issue.labels, ...labels]);
      if (issue.labels.join('\n') !== before) issue.updatedAt = now;
      return { status: 200, body: issue.labels.map((name) => labelJson(repo, ensureLabel(repo, name))) };
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = repo.issues.get(Number(m[1]));
      if (!issue) return error(404, 'Not Found', { documentation_url: `${DOCS}/issues/comments#create-an-issue-comment` });
      if (method === 'GET') {
        const list = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).sort((a, b) => a.id - b.id);
        return { status: 200, body: list.map((c) => commentJson(repo, c)) };
      }
      if (method !== 'POST') return error(404, 'Not Found');
      if (typeof input.body !== 'string' || input.body.length === 0) return validation('IssueComment', 'body', 'missing_field');
      const text = input.body;
      const existing = [...repo.comments.values()].find((c) => c.issueNumber === issue.number && c.body === text && c.author === login);
      if (existing) return { status: 201, body: commentJson(repo, existing) };
      const id = (nextCommentId += 1);
      const comment = { id, issueNumber: issue.number, body: text, author: login, createdAt: now, updatedAt: now };
      repo.comments.set(id, comment);
      return { status: 201, body: commentJson(repo, comment), headers: { location: `${repoUrl(repo)}/issues/comments/${id}` } };
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = repo.comments.get(Number(m[1]));
      if (!comment) return error(404, 'Not Found', { documentation_url: `${DOCS}/issues/comments#update-an-issue-comment` });
      if (method === 'GET') return { status: 200, body: commentJson(repo, comment) };
      if (method !== 'PATCH') return error(404, 'Not Found');
      if (typeof input.body !== 'string' || input.body.length === 0) return validation('IssueComment', 'body', 'missing_field');
      if (comment.body !== input.body) {
        comment.body = input.body;
        comment.updatedAt = now;
      }
      return { status: 200, body: commentJson(repo, comment) };
    }
    return error(404, 'Not Found');
  }

  const commentCount = (repo: RepoState, number: number) => [...repo.comments.values()].filter((c) => c.issueNumber === number).length;

  function listIssues(repo: RepoState, query: Record<string, string>): Reply {
    const state = query.state ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) return validation('Issue', 'state', 'invalid');
    const perPage = Math.min(100, Math.max(1, Number.parseInt(query.per_page ?? '30', 10) || 30));
    const page = Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
    const sort = query.sort ?? 'created';
    const direction = query.direction ?? 'desc';
    if (!['created', 'updated', 'comments'].includes(sort)) return validation('Issue', 'sort', 'invalid');
    if (direction !== 'asc' && direction !== 'desc') return validation('Issue', 'direction', 'invalid');
    const since = query.since === undefined ? null : Date.parse(query.since);
    if (since !== null && Number.isNaN(since)) return validation('Issue', 'since', 'invalid');
    const wanted = (query.labels ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
    const all = [...repo.issues.values()]
      .filter((issue) => state === 'all' || issue.state === state)
      .filter((issue) => wanted.every((label) => issue.labels.some((l) => l.toLowerCase() === label)))
      .filter((issue) => since === null || Date.parse(issue.updatedAt) >= since)
      .sort((a, b) => {
        const key = (i: IssueState) => (sort === 'updated' ? Date.parse(i.updatedAt) : sort === 'comments' ? commentCount(repo, i.number) : i.number);
        return (direction === 'asc' ? 1 : -1) * (key(a) - key(b) || a.number - b.number);
      });
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const params = new URLSearchParams({ ...query, page: String(p), per_page: String(perPage) });
      return `<${api()}/repositories/${repo.id}/issues?${params.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(Math.min(page - 1, lastPage))}; rel="prev"`);
    if (page < lastPage) rels.push(`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return { status: 200, body: items.map((issue) => issueJson(repo, issue)), headers: rels.length ? { link: rels.join(', ') } : {} };
  }

  function patchIssue(repo: RepoState, issue: IssueState, input: Record<string, unknown>, login: string): Reply {
    if (input.state !== undefined && input.state !== 'open' && input.state !== 'closed') return validation('Issue', 'state', 'invalid');
    if (input.state_reason !== undefined && !['completed', 'not_planned', 'reopened', 'duplicate', null].includes(input.state_reason as string)) {
      return validation('Issue', 'state_reason', 'invalid');
    }
    const labels = input.labels === undefined ? undefined : stringArray(input.labels);
    if (labels === null) return validation('Issue', 'labels', 'invalid');
    const before = JSON.stringify(issue);
    if (typeof input.title === 'string') issue.title = input.title;
    if (input.body !== undefined) issue.body = typeof input.body === 'string' ? input.body : null;
    if (labels !== undefined) {
      for (const label of labels) ensureLabel(repo, label);
      issue.labels = dedupeLabels(labels);
    }
    if (input.assignees !== undefined) issue.assignees = stringArray(input.assignees) ?? [];
    if (input.state === 'closed' && issue.state !== 'closed') {
      issue.state = 'closed';
      issue.closedAt = now;
      issue.closedBy = login;
      issue.stateReason = (input.state_reason as string | undefined) ?? 'completed';
    } else if (input.state === 'open' && issue.state !== 'open') {
      issue.state = 'open';
      issue.closedAt = null;
      issue.closedBy = null;
      issue.stateReason = 'reopened';
    } else if (input.state_reason !== undefined && issue.state === 'closed') {
      issue.stateReason = input.state_reason as string | null;
    }
    if (JSON.stringify(issue) !== before) issue.updatedAt = now;
    return { status: 200, body: issueJson(repo, issue) };
  }

  return {
    route,
    issue(fullName, number) {
      const repo = repos.get(fullName.toLowerCase());
      const issue = repo?.issues.get(number);
      return repo && issue ? issueJson(repo, issue) : undefined;
    },
  };
}

function stringArray(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return null;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') out.push((item as { name: string }).name);
    else return null;
  }
  return out;
}

function dedupeLabels(labels: string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((label) => {
    const key = label.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
