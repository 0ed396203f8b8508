import { checksumOf, type ConformanceFixture } from '@integration/contracts';
import type { FakeRepoSeed } from './testing/fake-github';
import { issueOpenedPayload } from './testing/webhook-payloads';

/** The token the conformance fixtures lease; the local fake accepts it as `octocat`. */
export const CONFORMANCE_TOKEN = 'gho_conformance_fixture_token_7f3a9c';
export const CONFORMANCE_SUBJECT = 'octocat';

const authBinding = checksumOf(CONFORMANCE_TOKEN);
const lease = { subject: CONFORMANCE_SUBJECT, scopes: ['repo'], payload: { access_token: CONFORMANCE_TOKEN } };
const web = 'https://github.com';

/** Seeds for the write fixtures: each fixture touches its own issue, so order does not matter. */
export const CONFORMANCE_SANDBOX_REPO: FakeRepoSeed = {
  fullName: 'octo-org/sandbox',
  issues: [
    { number: 1, title: 'Sandbox: retitle me', body: 'Update target.', labels: ['needs-triage'], author: 'hubot' },
    { number: 2, title: 'Sandbox: label me', body: null, labels: ['bug'], author: 'hubot' },
    { number: 3, title: 'Sandbox: close me', body: 'Close target.', author: 'hubot' },
    { number: 4, title: 'Sandbox: discuss me', body: 'Comment target.', author: 'hubot', comments: [{ id: 1_000_000_050, body: 'Original comment.', author: 'octocat' }] },
  ],
};

const ok = (eventType: string, output: Record<string, unknown>) => ({
  eventTypes: [eventType],
  artifactTypes: ['tool_output'],
  output: { ...output, authBinding },
});

/**
 * One fixture per capability against the fake's seeded state (see `defaultFakeRepos` and the
 * sandbox repo). The fake's timestamps: issue N is created at 2026-01-05T09:00Z + N hours; changes
 * are stamped 2026-01-10T12:00:00Z; replaying a create returns the same issue/comment.
 */
export const gitHubConformanceFixtures: ConformanceFixture[] = [
  {
    name: 'issue list: first page of all states',
    capabilityId: 'github.issue.list',
    input: { repo: 'octo-org/widgets', state: 'all', perPage: 2 },
    lease,
    expect: ok('connector.github.issue.listed', {
      repo: 'octo-org/widgets',
      state: 'all',
      page: 1,
      perPage: 2,
      count: 2,
      issues: [
        {
          repo: 'octo-org/widgets',
          issueNumber: 4,
          title: 'Guard against empty config',
          state: 'open',
          labels: ['bug'],
          assignees: [],
          author: 'hubot',
          htmlUrl: `${web}/octo-org/widgets/pull/4`,
          commentsCount: 0,
          isPullRequest: true,
          createdAt: '2026-01-05T13:00:00Z',
          updatedAt: '2026-01-05T13:00:00Z',
        },
        {
          repo: 'octo-org/widgets',
          issueNumber: 3,
          title: 'Fix typo in README',
          state: 'closed',
          labels: ['docs'],
          assignees: [],
          author: 'octocat',
          htmlUrl: `${web}/octo-org/widgets/issues/3`,
          commentsCount: 0,
          isPullRequest: false,
          createdAt: '2026-01-05T12:00:00Z',
          updatedAt: '2026-01-05T12:00:00Z',
        },
      ],
      nextPage: 2,
      lastPage: 2,
      hasNextPage: true,
      listedBy: 'octocat',
    }),
  },
  {
    name: 'issue fetch',
    capabilityId: 'github.issue.fetch',
    input: { repo: 'octo-org/widgets', issueNumber: 1 },
    lease,
    expect: ok('connector.github.issue.fetched', {
      repo: 'octo-org/widgets',
      issueNumber: 1,
      title: 'Widget crashes on startup',
      body: 'Steps: run `widgets start` on a clean checkout.',
      state: 'open',
      stateReason: null,
      labels: ['bug', 'triaged'],
      assignees: [],
      author: 'hubot',
      htmlUrl: `${web}/octo-org/widgets/issues/1`,
      commentsCount: 1,
      isPullRequest: false,
      createdAt: '2026-01-05T10:00:00Z',
      updatedAt: '2026-01-05T10:00:00Z',
      closedAt: null,
      fetchedBy: 'octocat',
    }),
  },
  {
    name: 'issue create',
    capabilityId: 'github.issue.create',
    input: { repo: 'octo-org/sandbox', title: 'Conformance: created issue', body: 'Created by the conformance fixture.', labels: ['conformance'] },
    lease,
    expect: ok('connector.github.issue.created', {
      repo: 'octo-org/sandbox',
      issueNumber: 5,
      title: 'Conformance: created issue',
      body: 'Created by the conformance fixture.',
      state: 'open',
      stateReason: null,
      labels: ['conformance'],
      assignees: [],
      author: 'octocat',
      htmlUrl: `${web}/octo-org/sandbox/issues/5`,
      commentsCount: 0,
      isPullRequest: false,
      createdAt: '2026-01-05T14:00:00Z',
      updatedAt: '2026-01-05T14:00:00Z',
      closedAt: null,
      openedBy: 'octocat',
    }),
  },
  {
    name: 'issue update: retitle and replace labels',
    capabilityId: 'github.issue.update',
    input: { repo: 'octo-org/sandbox', issueNumber: 1, title: 'Conformance: updated title', labels: ['triaged'] },
    lease,
    expect: ok('connector.github.issue.updated', {
      repo: 'octo-org/sandbox',
      issueNumber: 1,
      title: 'Conformance: updated title',
      body: 'Update target.',
      state: 'open',
      stateReason: null,
      labels: ['triaged'],
      assignees: [],
      author: 'hubot',
      htmlUrl: `${web}/octo-org/sandbox/issues/1`,
      commentsCount: 0,
      isPullRequest: false,
      createdAt: '2026-01-05T10:00:00Z',
      updatedAt: '2026-01-10T12:00:00Z',
      closedAt: null,
      updatedBy: 'octocat',
    }),
  },
  {
    name: 'issue label: add two labels',
    capabilityId: 'github.issue.label',
    input: { repo: 'octo-org/sandbox', issueNumber: 2, labels: ['priority:high', 'bug'] },
    lease,
    expect: ok('connector.github.issue.labeled', {
      repo: 'octo-org/sandbox',
      issueNumber: 2,
      labels: ['bug', 'priority:high'],
      added: ['priority:high', 'bug'],
      labeledBy: 'octocat',
    }),
  },
  {
    name: 'issue close: not planned',
    capabilityId: 'github.issue.close',
    input: { repo: 'octo-org/sandbox', issueNumber: 3, stateReason: 'not_planned' },
    lease,
    expect: ok('connector.github.issue.closed', {
      repo: 'octo-org/sandbox',
      issueNumber: 3,
      state: 'closed',
      stateReason: 'not_planned',
      closedAt: '2026-01-10T12:00:00Z',
      htmlUrl: `${web}/octo-org/sandbox/issues/3`,
      closedBy: 'octocat',
    }),
  },
  {
    name: 'comment create',
    capabilityId: 'github.comment.create',
    input: { repo: 'octo-org/sandbox', issueNumber: 4, body: 'Conformance comment.' },
    lease,
    expect: ok('connector.github.comment.created', {
      repo: 'octo-org/sandbox',
      issueNumber: 4,
      commentId: 1_000_000_101,
      body: 'Conformance comment.',
      author: 'octocat',
      htmlUrl: `${web}/octo-org/sandbox/issues/4#issuecomment-1000000101`,
      createdAt: '2026-01-10T12:00:00Z',
      updatedAt: '2026-01-10T12:00:00Z',
      createdBy: 'octocat',
    }),
  },
  {
    name: 'comment update',
    capabilityId: 'github.comment.update',
    input: { repo: 'octo-org/sandbox', commentId: 1_000_000_050, body: 'Conformance: edited comment.' },
    lease,
    expect: ok('connector.github.comment.updated', {
      repo: 'octo-org/sandbox',
      issueNumber: 4,
      commentId: 1_000_000_050,
      body: 'Conformance: edited comment.',
      author: 'octocat',
      htmlUrl: `${web}/octo-org/sandbox/issues/4#issuecomment-1000000050`,
      createdAt: '2026-01-05T13:02:00Z',
      updatedAt: '2026-01-10T12:00:00Z',
      updatedBy: 'octocat',
    }),
  },
  {
    name: 'issue opened webhook: admitted signal',
    capabilityId: 'github.issue.opened',
    input: issueOpenedPayload({ repo: 'octo-org/widgets', number: 7, title: 'Widget crashes on startup', labels: ['bug'] }),
    lease,
    expect: {
      eventTypes: ['connector.github.issue.received'],
      artifactTypes: ['tool_output'],
      output: {
        repo: 'octo-org/widgets',
        issueNumber: 7,
        title: 'Widget crashes on startup',
        body: 'Steps: run `widgets start` on a clean checkout.',
        state: 'open',
        labels: ['bug'],
        assignees: [],
        author: 'monalisa',
        sender: 'monalisa',
        htmlUrl: `${web}/octo-org/widgets/issues/7`,
        createdAt: '2026-01-05T09:00:00Z',
        installationId: null,
      },
    },
  },
];
