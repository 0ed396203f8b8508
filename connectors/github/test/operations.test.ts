import { beforeEach, describe, expect, it } from 'vitest';
import { checksumOf } from '@integration/contracts';
import { runCapability, type HarnessRun } from './support/harness';
import { TOKEN, useFakeGitHub } from './support/fixtures';

const env = useFakeGitHub();
const authBinding = checksumOf(TOKEN);

async function twice(capabilityId: string, input: unknown): Promise<HarnessRun> {
  const first = await runCapability(env.connector, capabilityId, input, { token: TOKEN });
  const second = await runCapability(env.connector, capabilityId, input, { token: TOKEN });
  expect(first.error).toBeNull();
  expect(second.error).toBeNull();
  expect(second.output).toEqual(first.output);
  expect(second.events).toEqual(first.events);
  expect(second.artifacts.map((a) => a.ref.checksum)).toEqual(first.artifacts.map((a) => a.ref.checksum));
  return first;
}

function expectEvidence(run: HarnessRun, eventType: string, slug: string) {
  expect(run.events).toHaveLength(1);
  expect(run.events[0]).toMatchObject({ type: eventType, stream: 'control', level: 'info' });
  expect(run.events[0]!.payload).toMatchObject({ authBinding, httpStatus: expect.any(Number), requestId: expect.stringMatching(/^[0-9A-F:]+$/) });
  expect(run.artifacts).toHaveLength(1);
  expect(run.artifacts[0]!.input).toMatchObject({ type: 'tool_output', slug });
  const content = JSON.parse(run.artifacts[0]!.text) as Record<string, unknown>;
  expect(content).toMatchObject({ authBinding, request: expect.any(Object), response: { status: expect.any(Number), data: expect.anything() } });
}

/** Every request octokit sent: authenticated with the lease token, GitHub's documented headers. */
function expectGitHubHeaders() {
  for (const request of env.fake.requests) {
    expect(request.headers.authorization).toBe(`token ${TOKEN}`);
    expect(request.headers.accept).toBe('application/vnd.github+json');
    expect(request.headers['x-github-api-version']).toBe('2022-11-28');
    expect(request.headers['user-agent']).toMatch(/^integration-platform-github-connector octokit-rest\.js\/\d+\.\d+\.\d+ octokit-core\.js\//);
  }
}

describe('github operations against the local GitHub (real octokit)', () => {
  beforeEach(() => env.fake.clearRequests());

  it('github.issue.list: one page, Link-header paging, state and labels forwarded', async () => {
    const run = await twice('github.issue.list', { repo: 'octo-org/widgets', state: 'all', perPage: 3 });
    expect(run.output).toMatchObject({
      repo: 'octo-org/widgets',
      state: 'all',
      page: 1,
      perPage: 3,
      count: 3,
      nextPage: 2,
      lastPage: 2,
      hasNextPage: true,
      listedBy: 'octocat',
      authBinding,
    });
    const issues = (run.output as { issues: Array<{ issueNumber: number; isPullRequest: boolean }> }).issues;
    expect(issues.map((i) => i.issueNumber)).toEqual([4, 3, 2]);
    expect(issues[0]!.isPullRequest).toBe(true);
    expect(env.fake.requests).toHaveLength(2);
    expect(env.fake.requests[0]).toMatchObject({ method: 'GET', path: '/repos/octo-org/widgets/issues', query: { state: 'all', page: '1', per_page: '3' } });
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.issue.listed', 'issue_list');

    env.fake.clearRequests();
    const last = await runCapability(env.connector, 'github.issue.list', { repo: 'octo-org/widgets', state: 'all', perPage: 3, page: 2 }, { token: TOKEN });
    expect(last.output).toMatchObject({ page: 2, count: 1, nextPage: null, lastPage: 2, hasNextPage: false });

    const labelled = await runCapability(env.connector, 'github.issue.list', { repo: 'octo-org/widgets', labels: ['bug', 'triaged'] }, { token: TOKEN });
    expect((labelled.output as { issues: Array<{ issueNumber: number }> }).issues.map((i) => i.issueNumber)).toEqual([1]);
    expect(env.fake.requests.at(-1)!.query).toEqual({ state: 'open', sort: 'created', direction: 'desc', page: '1', per_page: '30', labels: 'bug,triaged' });
    expect(labelled.output).toMatchObject({ nextPage: null, lastPage: 1, hasNextPage: false });

    const numbers = (run: HarnessRun) => (run.output as { issues: Array<{ issueNumber: number }> }).issues.map((i) => i.issueNumber);
    const recent = await runCapability(env.connector, 'github.issue.list', { repo: 'octo-org/widgets', state: 'all', since: '2026-01-05T11:30:00Z' }, { token: TOKEN });
    expect(numbers(recent)).toEqual([4, 3]);
    expect(env.fake.requests.at(-1)!.query).toMatchObject({ since: '2026-01-05T11:30:00Z' });
    const oldestFirst = await runCapability(env.connector, 'github.issue.list', { repo: 'octo-org/widgets', state: 'all', sort: 'created', direction: 'asc' }, { token: TOKEN });
    expect(numbers(oldestFirst)).toEqual([1, 2, 3, 4]);
    const mostDiscussed = await runCapability(env.connector, 'github.issue.list', { repo: 'octo-org/widgets', state: 'all', sort: 'comments' }, { token: TOKEN });
    expect(numbers(mostDiscussed)[0]).toBe(1);
  });

  it('github.issue.fetch returns the issue projection', async () => {
    const run = await twice('github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 2 });
    expect(run.output).toEqual({
      repo: 'octo-org/widgets',
      issueNumber: 2,
      title: 'Add dark mode',
      body: null,
      state: 'open',
      stateReason: null,
      labels: ['enhancement'],
      assignees: ['octocat'],
      author: 'monalisa',
      htmlUrl: 'https://github.com/octo-org/widgets/issues/2',
      commentsCount: 0,
      isPullRequest: false,
      createdAt: '2026-01-05T11:00:00Z',
      updatedAt: '2026-01-05T11:00:00Z',
      closedAt: null,
      fetchedBy: 'octocat',
      authBinding,
    });
    expect(env.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/octo-org/widgets/issues/2', 'GET /repos/octo-org/widgets/issues/2']);
    expect(env.fake.requests[0]!.body).toBeNull();
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.issue.fetched', 'issue_fetch');
  });

  it('github.issue.create posts title, body, labels and assignees', async () => {
    const input = { repo: 'octo-org/widgets', title: 'Crash when config is empty', body: 'Seen in 1.2.3', labels: ['bug'], assignees: ['monalisa'] };
    const run = await twice('github.issue.create', input);
    expect(run.output).toMatchObject({
      repo: 'octo-org/widgets',
      issueNumber: 5,
      title: 'Crash when config is empty',
      body: 'Seen in 1.2.3',
      state: 'open',
      labels: ['bug'],
      assignees: ['monalisa'],
      author: 'octocat',
      openedBy: 'octocat',
      authBinding,
    });
    expect(env.fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/repos/octo-org/widgets/issues',
      body: { title: 'Crash when config is empty', body: 'Seen in 1.2.3', labels: ['bug'], assignees: ['monalisa'] },
    });
    expect(env.fake.requests[0]!.headers['content-type']).toMatch(/^application\/json/);
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.issue.created', 'issue_create');
    expect(env.fake.issue('octo-org/widgets', 5)).toMatchObject({ title: 'Crash when config is empty' });
  });

  it('github.issue.update patches only the named fields (snake_case on the wire)', async () => {
    const run = await twice('github.issue.update', { repo: 'octo-org/widgets', issueNumber: 2, body: 'Now with a spec.', labels: ['enhancement', 'ui'], assignees: [] });
    expect(run.output).toMatchObject({ issueNumber: 2, title: 'Add dark mode', body: 'Now with a spec.', labels: ['enhancement', 'ui'], assignees: [], updatedBy: 'octocat' });
    expect(env.fake.requests[0]).toMatchObject({
      method: 'PATCH',
      path: '/repos/octo-org/widgets/issues/2',
      body: { body: 'Now with a spec.', labels: ['enhancement', 'ui'], assignees: [] },
    });
    expect(Object.keys(env.fake.requests[0]!.body as object).sort()).toEqual(['assignees', 'body', 'labels']);
    expectEvidence(run, 'connector.github.issue.updated', 'issue_update');

    const reopened = await runCapability(env.connector, 'github.issue.update', { repo: 'octo-org/widgets', issueNumber: 3, state: 'open' }, { token: TOKEN });
    expect(reopened.output).toMatchObject({ state: 'open', stateReason: 'reopened', closedAt: null });
    expect(env.fake.requests.at(-1)!.body).toEqual({ state: 'open' });
  });

  it('github.issue.label adds labels and returns every label on the issue', async () => {
    const run = await twice('github.issue.label', { repo: 'octo-org/widgets', issueNumber: 1, labels: ['p1'] });
    expect(run.output).toEqual({ repo: 'octo-org/widgets', issueNumber: 1, labels: ['bug', 'triaged', 'p1'], added: ['p1'], labeledBy: 'octocat', authBinding });
    expect(env.fake.requests[0]).toMatchObject({ method: 'POST', path: '/repos/octo-org/widgets/issues/1/labels', body: { labels: ['p1'] } });
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.issue.labeled', 'issue_label');
  });

  it('github.issue.close sends state=closed with the reason', async () => {
    const run = await twice('github.issue.close', { repo: 'octo-org/widgets', issueNumber: 5, stateReason: 'completed' });
    expect(run.output).toEqual({
      repo: 'octo-org/widgets',
      issueNumber: 5,
      state: 'closed',
      stateReason: 'completed',
      closedAt: '2026-01-10T12:00:00Z',
      htmlUrl: 'https://github.com/octo-org/widgets/issues/5',
      closedBy: 'octocat',
      authBinding,
    });
    expect(env.fake.requests[0]).toMatchObject({ method: 'PATCH', path: '/repos/octo-org/widgets/issues/5', body: { state: 'closed', state_reason: 'completed' } });
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.issue.closed', 'issue_close');
  });

  it('github.comment.create posts the body', async () => {
    const run = await twice('github.comment.create', { repo: 'octo-org/widgets', issueNumber: 1, body: 'Fixed in #4.' });
    expect(run.output).toMatchObject({ repo: 'octo-org/widgets', issueNumber: 1, commentId: expect.any(Number), body: 'Fixed in #4.', author: 'octocat', createdBy: 'octocat', authBinding });
    expect((run.output as { htmlUrl: string }).htmlUrl).toMatch(/^https:\/\/github\.com\/octo-org\/widgets\/issues\/1#issuecomment-\d+$/);
    expect(env.fake.requests[0]).toMatchObject({ method: 'POST', path: '/repos/octo-org/widgets/issues/1/comments', body: { body: 'Fixed in #4.' } });
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.comment.created', 'comment_create');
  });

  it('github.comment.update patches the comment and reports its issue', async () => {
    const run = await twice('github.comment.update', { repo: 'octo-org/widgets', commentId: 1_000_000_001, body: 'Reproduced on 1.2.3 too.' });
    expect(run.output).toMatchObject({ repo: 'octo-org/widgets', issueNumber: 1, commentId: 1_000_000_001, body: 'Reproduced on 1.2.3 too.', author: 'monalisa', updatedBy: 'octocat', authBinding });
    expect(env.fake.requests[0]).toMatchObject({ method: 'PATCH', path: '/repos/octo-org/widgets/issues/comments/1000000001', body: { body: 'Reproduced on 1.2.3 too.' } });
    expectGitHubHeaders();
    expectEvidence(run, 'connector.github.comment.updated', 'comment_update');
  });

  it('sends Bearer for JWT-shaped tokens (octokit) and the configured user agent and API version', async () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.c2lnbmF0dXJl';
    const { startFakeGitHub } = await import('../src/testing');
    const { github } = await import('../src');
    const fake = await startFakeGitHub({ tokens: { [jwt]: 'app-bot' } });
    try {
      const connector = github({ baseUrl: fake.baseUrl, userAgent: 'acme-ops/2.0', apiVersion: '2026-03-10' });
      const run = await runCapability(connector, 'github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 1 }, { token: jwt, subject: 'app-bot' });
      expect(run.error).toBeNull();
      expect(fake.requests[0]!.headers.authorization).toBe(`bearer ${jwt}`);
      expect(fake.requests[0]!.headers['user-agent']).toMatch(/^acme-ops\/2\.0 octokit-rest\.js\/\d+\.\d+\.\d+ octokit-core\.js\//);
      expect(fake.requests[0]!.headers['x-github-api-version']).toBe('2026-03-10');
    } finally {
      await fake.close();
    }
  });
});
