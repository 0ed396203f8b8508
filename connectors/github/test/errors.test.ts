import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, ManualClock } from '@integration/contracts';
import { github } from '../src';
import { runCapability } from './support/harness';
import { TOKEN, useFakeGitHub } from './support/fixtures';

const env = useFakeGitHub();
const fetchInput = { repo: 'octo-org/widgets', issueNumber: 1 };
const route = { method: 'GET', path: '/repos/octo-org/widgets/issues/1' };

async function failWith(status: number, body: unknown, headers: Record<string, string> = {}, clock?: ManualClock) {
  env.fake.respondOnce(route, { status, body, headers: { 'x-github-request-id': 'ABCD:0001:FEED', ...headers } });
  const run = await runCapability(env.connector, 'github.issue.fetch', fetchInput, { token: TOKEN, ...(clock ? { clock } : {}) });
  expect(run.output).toBeNull();
  expect(run.error).toBeInstanceOf(ConnectorError);
  expect(run.events).toHaveLength(1);
  expect(run.events[0]).toMatchObject({ type: 'connector.github.issue.fetch.failed', level: 'warn', stream: 'control' });
  expect(run.artifacts).toHaveLength(1);
  expect(run.artifacts[0]!.input).toMatchObject({ type: 'tool_output', slug: 'issue_fetch_error' });
  return { run, error: run.error as ConnectorError };
}

describe('GitHub error mapping (real octokit errors from the local server)', () => {
  beforeEach(() => env.fake.clearRequests());

  it('401 → auth_failed, terminal, github.unauthorized with request id and status', async () => {
    const { error, run } = await failWith(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect(error.code).toBe('connector_auth_failed');
    expect(error.errorClass).toBe('auth_failed');
    expect(error.retryable).toBe(false);
    expect(error.details.providerCode).toBe('github.unauthorized');
    expect(error.upstream).toMatchObject({ httpStatus: 401, providerRequestId: 'ABCD:0001:FEED', providerCode: 'github.unauthorized', method: 'GET', path: '/repos/octo-org/widgets/issues/1' });
    expect(error.message).toContain('Bad credentials');
    expect(run.events[0]!.payload).toMatchObject({ class: 'auth_failed', providerCode: 'github.unauthorized', httpStatus: 401, requestId: 'ABCD:0001:FEED' });
  });

  it('the fake itself answers 401 for an unknown token', async () => {
    const run = await runCapability(env.connector, 'github.issue.fetch', fetchInput, { token: 'gho_not_a_known_token_000000' });
    expect((run.error as ConnectorError).details.providerCode).toBe('github.unauthorized');
  });

  it('403 without rate-limit signals → auth_failed github.forbidden', async () => {
    const { error } = await failWith(403, { message: 'Resource not accessible by personal access token', status: '403' }, { 'x-accepted-github-permissions': 'issues=read' });
    expect(error.errorClass).toBe('auth_failed');
    expect(error.details.providerCode).toBe('github.forbidden');
    expect((error.upstream.headers as Record<string, string>)['x-accepted-github-permissions']).toBe('issues=read');
  });

  it('403 with x-ratelimit-remaining 0 → rate_limited with retryAfterMs from x-ratelimit-reset', async () => {
    const clock = new ManualClock(Date.parse('2026-01-10T12:00:00Z'));
    const reset = Math.floor(clock.now() / 1000) + 90;
    const { error } = await failWith(
      403,
      { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      clock,
    );
    expect(error.errorClass).toBe('rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.details.providerCode).toBe('github.rate_limited');
    expect(error.retryAfterMs).toBe(90_000);
    expect(error.upstream.retryAfterMs).toBe(90_000);
  });

  it('403 secondary rate limit: Retry-After wins; without it the documented one-minute wait', async () => {
    const secondary = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
    const withHeader = await failWith(403, secondary, { 'retry-after': '30' });
    expect(withHeader.error.errorClass).toBe('rate_limited');
    expect(withHeader.error.details.providerCode).toBe('github.secondary_rate_limited');
    expect(withHeader.error.retryAfterMs).toBe(30_000);
    const without = await failWith(403, secondary);
    expect(without.error.details.providerCode).toBe('github.secondary_rate_limited');
    expect(without.error.retryAfterMs).toBe(60_000);
  });

  it('429 with Retry-After → rate_limited, retryable, retryAfterMs', async () => {
    const { error } = await failWith(429, { message: 'Too Many Requests' }, { 'retry-after': '7' });
    expect(error.code).toBe('connector_rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.upstream).toMatchObject({ httpStatus: 429, retryAfterMs: 7_000 });
  });

  it('429 with an HTTP-date Retry-After is measured against the run clock', async () => {
    const clock = new ManualClock(Date.parse('2026-01-10T12:00:00Z'));
    const { error } = await failWith(429, { message: 'Too Many Requests' }, { 'retry-after': 'Sat, 10 Jan 2026 12:00:12 GMT' }, clock);
    expect(error.retryAfterMs).toBe(12_000);
  });

  it('404 → invalid_request github.not_found (the fake answers unknown issues with 404)', async () => {
    const run = await runCapability(env.connector, 'github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 999 }, { token: TOKEN });
    const error = run.error as ConnectorError;
    expect(error.code).toBe('connector_invalid_request');
    expect(error.retryable).toBe(false);
    expect(error.details.providerCode).toBe('github.not_found');
    expect(error.upstream).toMatchObject({ httpStatus: 404, body: { message: 'Not Found' }, documentationUrl: expect.stringContaining('docs.github.com') });
    const unknownRepo = await runCapability(env.connector, 'github.issue.list', { repo: 'octo-org/nope' }, { token: TOKEN });
    expect((unknownRepo.error as ConnectorError).details.providerCode).toBe('github.not_found');
    expect(unknownRepo.events[0]!.type).toBe('connector.github.issue.list.failed');
    expect(unknownRepo.artifacts[0]!.input.slug).toBe('issue_list_error');
  });

  it('409 → invalid_request github.conflict; 410 → github.gone', async () => {
    expect((await failWith(409, { message: 'Conflict' })).error.details.providerCode).toBe('github.conflict');
    expect((await failWith(410, { message: 'Issues are disabled for this repo' })).error.details.providerCode).toBe('github.gone');
  });

  it('422 → invalid_request github.validation_failed with the field errors kept', async () => {
    env.fake.respondOnce({ method: 'POST', path: '/repos/octo-org/widgets/issues' }, {
      status: 422,
      body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'invalid', field: 'assignees' }], documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue' },
    });
    const run = await runCapability(env.connector, 'github.issue.create', { repo: 'octo-org/widgets', title: 'x', assignees: ['ghost'] }, { token: TOKEN });
    const error = run.error as ConnectorError;
    expect(error.errorClass).toBe('invalid_request');
    expect(error.details.providerCode).toBe('github.validation_failed');
    expect(error.message).toContain('Validation Failed');
    expect(error.message).toContain('assignees');
    expect(error.upstream.body).toMatchObject({ errors: [{ field: 'assignees' }] });
    expect(run.events[0]!.type).toBe('connector.github.issue.create.failed');
  });

  it('5xx → unavailable, retryable (500 server_error, 502 bad_gateway, 503 with Retry-After)', async () => {
    const e500 = (await failWith(500, { message: 'Server Error' })).error;
    expect(e500).toMatchObject({ code: 'connector_unavailable', errorClass: 'unavailable', retryable: true });
    expect(e500.details.providerCode).toBe('github.server_error');
    expect((await failWith(502, 'Bad Gateway')).error.details.providerCode).toBe('github.bad_gateway');
    const e503 = (await failWith(503, { message: 'Service Unavailable' }, { 'retry-after': '5' })).error;
    expect(e503.details.providerCode).toBe('github.service_unavailable');
    expect(e503.retryAfterMs).toBe(5_000);
  });

  it('504 → timeout github.gateway_timeout', async () => {
    const { error } = await failWith(504, { message: 'We couldn\'t respond to your request in time.' });
    expect(error).toMatchObject({ code: 'connector_timeout', errorClass: 'timeout', retryable: true });
    expect(error.details.providerCode).toBe('github.gateway_timeout');
  });

  it('a response slower than requestTimeoutMs → timeout github.request_timeout (the request is aborted)', async () => {
    const connector = github({ baseUrl: env.fake.baseUrl, requestTimeoutMs: 100 });
    env.fake.respondOnce(route, { status: 200, body: {}, delayMs: 5_000 });
    const run = await runCapability(connector, 'github.issue.fetch', fetchInput, { token: TOKEN });
    const error = run.error as ConnectorError;
    expect(error).toMatchObject({ code: 'connector_timeout', retryable: true });
    expect(error.details.providerCode).toBe('github.request_timeout');
    expect(run.events[0]!.type).toBe('connector.github.issue.fetch.failed');
  });

  it('the run signal aborting mid-request → timeout github.aborted', async () => {
    env.fake.respondOnce(route, { status: 200, body: {}, delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const run = await runCapability(env.connector, 'github.issue.fetch', fetchInput, { token: TOKEN, signal: controller.signal });
    expect((run.error as ConnectorError).details.providerCode).toBe('github.aborted');
    const already = await runCapability(env.connector, 'github.issue.fetch', fetchInput, { token: TOKEN, signal: AbortSignal.abort() });
    expect((already.error as ConnectorError).details.providerCode).toBe('github.aborted');
  });

  it('an unreachable host → unavailable github.connection_failed', async () => {
    const { startFakeGitHub } = await import('../src/testing');
    const gone = await startFakeGitHub();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const run = await runCapability(github({ baseUrl }), 'github.issue.fetch', fetchInput, { token: TOKEN });
    const error = run.error as ConnectorError;
    expect(error).toMatchObject({ code: 'connector_unavailable', retryable: true });
    expect(error.details.providerCode).toBe('github.connection_failed');
  });

  it('a 200 with a body that is not an issue → internal github.unexpected_response', async () => {
    env.fake.respondOnce(route, { status: 200, body: { hello: 'world' } });
    const run = await runCapability(env.connector, 'github.issue.fetch', fetchInput, { token: TOKEN });
    const error = run.error as ConnectorError;
    expect(error).toMatchObject({ code: 'connector_internal', retryable: false });
    expect(error.details.providerCode).toBe('github.unexpected_response');
  });

  it('a lease without access_token → auth_failed github.auth_missing, no request', async () => {
    const run = await runCapability(env.connector, 'github.issue.fetch', fetchInput, { token: null });
    const error = run.error as ConnectorError;
    expect(error.errorClass).toBe('auth_failed');
    expect(error.details.providerCode).toBe('github.auth_missing');
    expect(env.fake.requests).toHaveLength(0);
  });
});
