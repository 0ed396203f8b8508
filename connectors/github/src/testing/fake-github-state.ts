import { createHash } from 'node:crypto';

/** Seeds, in-memory state and deterministic ids of the fake GitHub. */

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
  /** Pin one of `comments` (GitHub's issue JSON then carries `pinned_comment` with its `pin`). */
  pinnedComment?: { commentId: number; pinnedBy: string };
}

export interface FakeRepoSeed {
  fullName: string;
  private?: boolean;
  issues?: FakeIssueSeed[];
}

export interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface IssueState {
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
  /** The pinned comment of the issue, if any (`pinned_comment.pin` in GitHub's JSON). */
  pinned?: { commentId: number; pinnedBy: string; pinnedAt: string } | null;
}

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

export interface RepoState {
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

export const stableInt = (text: string, modulo = 2_000_000_000): number => {
  const digest = createHash('sha256').update(text).digest();
  return (digest.readUInt32BE(0) % modulo) + 1;
};
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const userObject = (login: string, web: string, api: string) => ({
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

export function ensureLabel(repo: RepoState, name: string): LabelState {
  const key = name.toLowerCase();
  const existing = repo.labels.get(key);
  if (existing) return existing;
  const label = { id: stableInt(`label:${repo.owner}/${repo.name}:${key}`), name, color: palette[stableInt(key, palette.length) - 1] ?? 'ededed', description: null };
  repo.labels.set(key, label);
  return label;
}

/** Builds the repository state from seeds (issue N is created at BASE_TIME + N hours). */
export function seedRepos(seeds: FakeRepoSeed[]): Map<string, RepoState> {
  const repos = new Map<string, RepoState>();
  for (const seed of seeds) {
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
        ...(issue.pinnedComment
          ? { pinned: { commentId: issue.pinnedComment.commentId, pinnedBy: issue.pinnedComment.pinnedBy, pinnedAt: iso(BASE_TIME + issue.number * 3_600_000 + 180_000) } }
          : {}),
      });
      for (const comment of issue.comments ?? []) {
        const at = iso(BASE_TIME + issue.number * 3_600_000 + 120_000);
        repo.comments.set(comment.id, { id: comment.id, issueNumber: issue.number, body: comment.body, author: comment.author ?? FAKE_GITHUB_LOGIN, createdAt: at, updatedAt: at });
      }
    }
    repos.set(seed.fullName.toLowerCase(), repo);
  }
  return repos;
}
