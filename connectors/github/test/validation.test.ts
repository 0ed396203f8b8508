import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConnectorError, IntegrationError } from '@integration/contracts';
import { REPO_PATTERN } from '../src';
import { runCapability } from './support/harness';
import { TOKEN, useFakeGitHub } from './support/fixtures';

const env = useFakeGitHub();

const malformed: Array<[string, unknown, string]> = [
  ['github.issue.fetch', { repo: 'octo-org', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: 'octo-org/widgets/extra', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: '../widgets', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: 'octo org/widgets', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: '-octo/widgets', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: 'octo-org/..', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: 'octo-org/widgets?x=1', issueNumber: 1 }, 'github.invalid_repo'],
  ['github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 0 }, 'github.invalid_input'],
  ['github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: -3 }, 'github.invalid_input'],
  ['github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 1.5 }, 'github.invalid_input'],
  ['github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: '1' }, 'github.invalid_input'],
  ['github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 1, extra: true }, 'github.invalid_input'],
  ['github.issue.list', { repo: 'octo-org/widgets', page: 0 }, 'github.invalid_input'],
  ['github.issue.list', { repo: 'octo-org/widgets', perPage: 101 }, 'github.invalid_input'],
  ['github.issue.list', { repo: 'octo-org/widgets', state: 'merged' }, 'github.invalid_input'],
  ['github.issue.list', { repo: 'octo-org/widgets', labels: ['a,b'] }, 'github.invalid_input'],
  ['github.issue.list', { repo: 'octo-org/widgets', since: 'yesterday' }, 'github.invalid_input'],
  ['github.issue.create', { repo: 'octo-org/widgets', title: '   ' }, 'github.invalid_input'],
  ['github.issue.create', { repo: 'octo-org/widgets' }, 'github.invalid_input'],
  ['github.issue.update', { repo: 'octo-org/widgets', issueNumber: 1 }, 'github.invalid_input'],
  ['github.issue.update', { repo: 'octo-org/widgets', issueNumber: 0, title: 'x' }, 'github.invalid_input'],
  ['github.issue.label', { repo: 'octo-org/widgets', issueNumber: 1, labels: [] }, 'github.invalid_input'],
  ['github.issue.close', { repo: 'octo-org/widgets', issueNumber: 0 }, 'github.invalid_input'],
  ['github.issue.close', { repo: 'octo-org/widgets', issueNumber: 1, stateReason: 'reopened' }, 'github.invalid_input'],
  ['github.comment.create', { repo: 'octo-org/widgets', issueNumber: 0, body: 'hi' }, 'github.invalid_input'],
  ['github.comment.create', { repo: 'octo-org/widgets', issueNumber: 1, body: '' }, 'github.invalid_input'],
  ['github.comment.update', { repo: 'octo-org/widgets', commentId: 0, body: 'hi' }, 'github.invalid_input'],
  ['github.comment.update', { repo: 'bad', commentId: 1, body: 'hi' }, 'github.invalid_repo'],
];

describe('malformed input is rejected before any HTTP request', () => {
  beforeEach(() => env.fake.clearRequests());

  it.each(malformed)('%s %j → input schema rejects (invalid_input), handler rejects (%s)', async (capabilityId, input, providerCode) => {
    // The control plane's input parse.
    await expect(runCapability(env.connector, capabilityId, input, { token: TOKEN })).rejects.toMatchObject({ code: 'invalid_input' });
    // The handler's own pre-validation, for callers that skip the control plane.
    const run = await runCapability(env.connector, capabilityId, input, { token: TOKEN, rawInput: true });
    expect(run.error).toBeInstanceOf(ConnectorError);
    const error = run.error as ConnectorError;
    expect(error.code).toBe('connector_invalid_request');
    expect(error.retryable).toBe(false);
    expect(error.details.providerCode).toBe(providerCode);
    expect(run.events.map((e) => e.type)).toEqual([`connector.${capabilityId.slice('github.'.length)}.failed`.replace('connector.', 'connector.github.')]);
    expect(env.fake.requests).toHaveLength(0);
  });

  it('property: any repo string the pattern rejects never reaches the server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), fc.integer({ min: -5, max: 5 }), async (repo, issueNumber) => {
        const valid = REPO_PATTERN.test(repo) && issueNumber >= 1;
        const before = env.fake.requests.length;
        const run = await runCapability(env.connector, 'github.issue.fetch', { repo, issueNumber }, { token: TOKEN, rawInput: true });
        if (!valid) {
          expect(env.fake.requests.length).toBe(before);
          expect(run.error).toBeInstanceOf(IntegrationError);
          expect((run.error as ConnectorError).errorClass).toBe('invalid_request');
        } else {
          expect(env.fake.requests.length).toBe(before + 1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('property: well-formed owner/name pairs are accepted by the pattern', () => {
    const owner = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/);
    const name = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/);
    fc.assert(fc.property(owner, name, (o, n) => REPO_PATTERN.test(`${o}/${n}`)), { numRuns: 300 });
  });
});
