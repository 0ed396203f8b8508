import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { APIErrorCode, APIResponseError } from '@notionhq/client';
import { ConnectorError, ExecutionError, KnownSecrets, scrubError, type ConnectorErrorClass } from '@integration/contracts';
import { mapNotionError, notion, retryAfterMs } from '../src/index';
import { DEFAULT_FAKE_TOKEN, fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';
import { runCapability } from './harness';

let fake: FakeNotion;
let connector: ReturnType<typeof notion>;
const token = DEFAULT_FAKE_TOKEN;

beforeAll(async () => {
  fake = await startFakeNotion();
  connector = notion({ baseUrl: fake.baseUrl });
});
afterAll(() => fake.close());
beforeEach(() => fake.clearRequests());

async function failed(capabilityId: string, input: unknown, runToken: string | null = token) {
  const run = await runCapability(connector, capabilityId, input, { token: runToken });
  expect(run.status).toBe('failed');
  expect(run.error).toBeInstanceOf(ConnectorError);
  const suffix = capabilityId.replace('notion.', '');
  expect(run.events.map((e) => e.type)).toEqual([`connector.notion.${suffix}.failed`]);
  expect(run.artifacts).toHaveLength(1);
  expect(run.artifacts[0]!.input).toMatchObject({ type: 'tool_output', slug: `${suffix.replace(/\./g, '_')}_error` });
  return { error: run.error as ConnectorError, run };
}

describe('Notion error statuses map to connector error classes', () => {
  it('401 unauthorized (bad token) → auth_failed, terminal', async () => {
    const { error } = await failed('notion.users.get_self', {}, 'secret_wrong_token_value');
    expect(error).toMatchObject({ code: 'connector_auth_failed', errorClass: 'auth_failed', retryable: false });
    expect(error.details.providerCode).toBe('notion.unauthorized');
    expect(error.upstream).toMatchObject({ httpStatus: 401, providerCode: 'unauthorized', body: { object: 'error', code: 'unauthorized' } });
  });

  it('403 restricted_resource → auth_failed', async () => {
    const { error } = await failed('notion.pages.retrieve', { page_id: fakeIds.restrictedPage });
    expect(error).toMatchObject({ errorClass: 'auth_failed', retryable: false });
    expect(error.upstream.httpStatus).toBe(403);
  });

  it('404 object_not_found → invalid_request with the "not shared" hint', async () => {
    const missing = '0e000000-0000-4000-8000-00000000dead';
    const { error, run } = await failed('notion.pages.retrieve', { page_id: missing });
    expect(error).toMatchObject({ code: 'connector_invalid_request', errorClass: 'invalid_request', retryable: false });
    expect(error.details.providerCode).toBe('notion.object_not_found');
    expect(error.message).toMatch(/not shared with the integration/);
    expect(error.upstream).toMatchObject({ httpStatus: 404, providerRequestId: expect.any(String) });
    expect(run.events[0]!.payload).toMatchObject({ error: { class: 'invalid_request', httpStatus: 404, providerCode: 'notion.object_not_found' } });
  });

  it('429 rate_limited with Retry-After → rate_limited, retryable, retryAfterMs (one request: SDK retries are off)', async () => {
    fake.failNext({ path: '/v1/search', status: 429, code: 'rate_limited', message: 'You have been rate limited. Please try again in a few minutes.', headers: { 'retry-after': '7' } });
    const { error } = await failed('notion.search.search', { query: 'x' });
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'connector_rate_limited', errorClass: 'rate_limited', retryable: true, retryAfterMs: 7000 });
    expect(error.upstream).toMatchObject({ httpStatus: 429, retryAfterMs: 7000 });
  });

  it('500 internal_server_error → unavailable, retryable', async () => {
    fake.failNext({ path: '/v1/users/me', status: 500, code: 'internal_server_error', message: 'Unexpected error occurred.' });
    const { error } = await failed('notion.users.get_self', {});
    expect(error).toMatchObject({ code: 'connector_unavailable', errorClass: 'unavailable', retryable: true });
    expect(fake.requests).toHaveLength(1);
  });

  it('503 service_unavailable, 504 gateway_timeout, 409 conflict_error, 400 validation_error', async () => {
    const cases: Array<[number, string, ConnectorErrorClass, boolean]> = [
      [503, 'service_unavailable', 'unavailable', true],
      [504, 'gateway_timeout', 'timeout', true],
      [409, 'conflict_error', 'invalid_request', true],
      [400, 'validation_error', 'invalid_request', false],
    ];
    for (const [status, code, errorClass, retryable] of cases) {
      fake.failNext({ path: '/v1/comments', status, code, message: `${code} happened` });
      const { error } = await failed('notion.comments.create', { parent: { page_id: fakeIds.roadmapPage }, rich_text: [{ text: { content: 'hi' } }] });
      expect(error, code).toMatchObject({ errorClass, retryable });
      expect(error.details.providerCode).toBe(`notion.${code}`);
    }
  });

  it('a provider validation error on the write (past preflight) maps to invalid_request', async () => {
    fake.failNext({ method: 'POST', path: '/v1/pages', status: 400, code: 'validation_error', message: 'body failed validation: body.properties.Name.title should be an array.' });
    const { error } = await failed('notion.pages.create', { parent: { data_source_id: fakeIds.tasksDataSource }, properties: { Name: { title: [] } } });
    expect(error.details.providerCode).toBe('notion.validation_error');
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('a non-JSON error body (proxy page) still maps by status', async () => {
    fake.failNext({ path: '/v1/users/me', status: 502, code: 'x', message: 'x', rawBody: '<html>bad gateway</html>' });
    const { error } = await failed('notion.users.get_self', {});
    expect(error).toMatchObject({ errorClass: 'unavailable', retryable: true });
    expect(error.details.providerCode).toBe('notion.response_error');
  });

  it('a lease without access_token → auth_failed before any request', async () => {
    const { error } = await failed('notion.users.get_self', {}, null);
    expect(error).toMatchObject({ errorClass: 'auth_failed' });
    expect(error.details.providerCode).toBe('notion.auth_missing');
    expect(fake.requests).toHaveLength(0);
  });

  it('an unreachable API → unavailable (api_connection)', async () => {
    const closed = await startFakeNotion();
    await closed.close();
    const run = await runCapability(notion({ baseUrl: closed.baseUrl }), 'notion.users.get_self', {}, { token });
    expect(run.error).toBeInstanceOf(ConnectorError);
    expect(run.error).toMatchObject({ errorClass: 'unavailable', retryable: true });
    expect((run.error as ConnectorError).details.providerCode).toBe('notion.api_connection');
  });

  it('a hung request → timeout (SDK timeoutMs), and an aborted attempt stops the fetch', async () => {
    const hang = (_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const slow = notion({ baseUrl: fake.baseUrl, fetch: hang, timeoutMs: 50 });
    const timedOut = await runCapability(slow, 'notion.users.get_self', {}, { token });
    expect(timedOut.error).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect((timedOut.error as ConnectorError).details.providerCode).toBe('notion.request_timeout');

    const patient = notion({ baseUrl: fake.baseUrl, fetch: hang, timeoutMs: 60_000 });
    const attemptTimeout = new AbortController();
    const pending = runCapability(patient, 'notion.users.get_self', {}, { token, signal: attemptTimeout.signal });
    attemptTimeout.abort(new DOMException('attempt timed out', 'TimeoutError'));
    const aborted = await pending;
    expect(aborted.error).toMatchObject({ errorClass: 'timeout', retryable: true, details: { providerCode: 'notion.attempt_timeout' } });

    const runtimeTimeout = new AbortController();
    const typedRun = runCapability(patient, 'notion.users.get_self', {}, { token, signal: runtimeTimeout.signal });
    runtimeTimeout.abort(new ExecutionError('runtime_timeout', 'attempt timed out after 30000 ms', { retryable: true }));
    expect((await typedRun).error).toMatchObject({ retryable: true, details: { providerCode: 'notion.attempt_timeout' } });

    const caller = new AbortController();
    const cancelledRun = runCapability(patient, 'notion.users.get_self', {}, { token, signal: caller.signal });
    caller.abort();
    const cancelled = await cancelledRun;
    expect(cancelled.error).toMatchObject({ errorClass: 'timeout', retryable: false, details: { providerCode: 'notion.cancelled' } });
  });
});

describe('mapNotionError', () => {
  it('passes ConnectorErrors through and maps unknown throwables to internal', () => {
    const original = new ConnectorError({ class: 'rate_limited', message: 'x' });
    expect(mapNotionError(original)).toBe(original);
    const mapped = mapNotionError(new Error('boom secret_abcdefgh'));
    expect(mapped).toMatchObject({ errorClass: 'internal', retryable: false });
    // The mapper reports what it was given; scrubbing the call's secrets is the runtime's (scrubError).
    expect(mapped.message).toBe('unexpected Notion client failure: boom secret_abcdefgh');
    expect(scrubError(mapped, KnownSecrets.of(['secret_abcdefgh'])).message).toBe('unexpected Notion client failure: boom [REDACTED]');
  });

  it('keeps the provider body exactly (no key-name redaction)', () => {
    const body = { object: 'error', status: 400, code: 'validation_error', message: 'Token property is invalid', request_id: 'req-9', token: 'not-a-secret', pin: 1234 };
    const error = new APIResponseError({ code: APIErrorCode.ValidationError, status: 400, message: body.message, headers: {}, rawBodyText: JSON.stringify(body), additional_data: undefined, request_id: 'req-9' });
    const mapped = mapNotionError(error);
    expect(mapped.upstream.body).toEqual(body);
    expect(mapped.message).toBe('Notion API 400 validation_error: Token property is invalid');
  });

  it('maps every Notion API error code to a class', () => {
    const expected: Record<string, ConnectorErrorClass> = {
      unauthorized: 'auth_failed',
      restricted_resource: 'auth_failed',
      object_not_found: 'invalid_request',
      rate_limited: 'rate_limited',
      invalid_json: 'invalid_request',
      invalid_request_url: 'invalid_request',
      invalid_request: 'invalid_request',
      invalid_beta: 'invalid_request',
      validation_error: 'invalid_request',
      conflict_error: 'invalid_request',
      internal_server_error: 'unavailable',
      service_overload: 'rate_limited',
      service_unavailable: 'unavailable',
      gateway_timeout: 'timeout',
    };
    for (const code of Object.values(APIErrorCode)) {
      const error = new APIResponseError({ code, status: 400, message: 'm', headers: {}, rawBodyText: '{}', additional_data: undefined, request_id: 'req-1' });
      expect(mapNotionError(error).errorClass, code).toBe(expected[code]);
    }
  });

  it('retryAfterMs parses delta-seconds and HTTP dates, rejects garbage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (s) => {
        expect(retryAfterMs(String(s))).toBe(s * 1000);
      }),
    );
    const now = Date.parse('2026-01-15T12:00:00.000Z');
    expect(retryAfterMs('Thu, 15 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 15 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const value = retryAfterMs(s, now);
        expect(value === undefined || (Number.isFinite(value) && value >= 0)).toBe(true);
      }),
    );
  });
});
