import { BASE_TIME, DOCS, ensureLabel, iso, seedRepos, type FakeRepoSeed, type IssueState, type RepoState } from './fake-github-state';
import { wireFormat } from './fake-github-json';

export { BASE_TIME, DEFAULT_NOW, FAKE_GITHUB_LOGIN, FAKE_GITHUB_TOKEN, defaultFakeRepos } from './fake-github-state';
export type { FakeIssueSeed, FakeLabelSeed, FakeRepoSeed } from './fake-github-state';

/** The simulated GitHub REST routes behind the fake server (see fake-github.ts). */
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
  const repos = seedRepos(options.repos);
  let nextCommentId = 1_000_000_100;
  const { repoUrl, labelJson, issueJson, commentJson } = wireFormat(api, web);

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
