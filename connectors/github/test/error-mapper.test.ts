import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConnectorError, KnownSecrets, connectorErrorClasses, scrubError } from '@integration/contracts';
import { mapGitHubError, retryAfterMsOf } from '../src';

const SECRET = 'gho_property_secret_0123456789';
const NOW = Date.parse('2026-01-10T12:00:00Z');

const httpError = (status: number, headers: Record<string, string>, data: unknown) =>
  Object.assign(new Error('HttpError'), {
    name: 'HttpError',
    status,
    request: { method: 'GET', url: 'https://api.github.com/repos/o/r/issues/1' },
    response: { status, url: 'https://api.github.com/repos/o/r/issues/1', headers, data },
  });

const headerArb = fc.record(
  {
    'retry-after': fc.oneof(fc.nat({ max: 10_000 }).map(String), fc.string({ maxLength: 30 }), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())),
    'x-ratelimit-remaining': fc.oneof(fc.constant('0'), fc.nat({ max: 5000 }).map(String)),
    'x-ratelimit-reset': fc.oneof(fc.nat({ max: 2_000_000_000 }).map(String), fc.string({ maxLength: 12 })),
    'x-github-request-id': fc.oneof(fc.stringMatching(/^[0-9A-F:]{4,32}$/), fc.constant(SECRET)),
  },
  { requiredKeys: [] },
);
const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 100 }),
  fc.record({ message: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(`bad ${SECRET}`), fc.constant('You have exceeded a secondary rate limit')) }),
  fc.record({ message: fc.string({ maxLength: 40 }), errors: fc.array(fc.record({ field: fc.string({ maxLength: 10 }), value: fc.constant(SECRET) }), { maxLength: 3 }) }),
);

describe('mapGitHubError (property)', () => {
  it('any status, headers and body map to a ConnectorError with a consistent class and no secret', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 599 }), headerArb, bodyArb, (status, headers, body) => {
        const error = mapGitHubError(httpError(status, headers, body), { secrets: [SECRET], now: NOW });
        expect(error).toBeInstanceOf(ConnectorError);
        expect(connectorErrorClasses).toContain(error.errorClass);
        expect(String(error.details.providerCode)).toMatch(/^github\.[a-z0-9_]+$/);
        expect(error.upstream.httpStatus).toBe(status);
        if (error.retryAfterMs !== undefined) expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
        if (status === 401) expect(error.errorClass).toBe('auth_failed');
        if (status === 429) expect(error.errorClass).toBe('rate_limited');
        if ([404, 409, 422].includes(status)) expect(error.errorClass).toBe('invalid_request');
        if (status >= 500 && status !== 504) expect(error.errorClass).toBe('unavailable');
        if (status === 403) expect(['auth_failed', 'rate_limited']).toContain(error.errorClass);
        expect(error.retryable).toBe(['rate_limited', 'timeout', 'unavailable'].includes(error.errorClass));
        // The message is scrubbed before truncation; the upstream body is GitHub's, exactly.
        expect(error.message).not.toContain(SECRET);
        expect(error.upstream.body).toEqual(body ?? null);
        // What the runtime records: scrubbed of the call's secrets everywhere.
        const recorded = scrubError(error, KnownSecrets.of([SECRET]));
        expect(JSON.stringify({ m: recorded.message, d: recorded.details })).not.toContain(SECRET);
      }),
      { numRuns: 400 },
    );
  });

  it('non-HTTP failures: aborts are timeouts, anything else is internal', () => {
    const run = new AbortController();
    run.abort();
    expect(mapGitHubError(new DOMException('aborted', 'AbortError'), { secrets: [], now: NOW, runSignal: run.signal }).details.providerCode).toBe('github.aborted');
    expect(mapGitHubError(new DOMException('t', 'TimeoutError'), { secrets: [], now: NOW }).details.providerCode).toBe('github.request_timeout');
    const internal = mapGitHubError(new TypeError(`boom ${SECRET}`), { secrets: [SECRET], now: NOW });
    expect(internal).toMatchObject({ errorClass: 'internal', retryable: false });
    expect(internal.message).not.toContain(SECRET);
  });

  it('scrubs a message before truncating it, so no fragment of a secret survives the cut', () => {
    const secret = 'gho_truncation_secret_abcdefghijklmnopqrstuvwxyz';
    // Place the secret across the 500-character cut of the message.
    const prefix = 'GitHub GET /repos/o/r/issues/1 failed with 400: ';
    const message = `${'x'.repeat(500 - prefix.length - 10)}${secret} tail`;
    const error = mapGitHubError(httpError(400, {}, { message }), { secrets: [secret], now: NOW });
    expect(error.message).not.toContain(secret.slice(0, 10));
    expect(error.message).toContain('[REDACTED]');
    // Without the connector-side scrub the cut would leave `gho_trunca…`, which value redaction cannot match.
    const unscrubbed = mapGitHubError(httpError(400, {}, { message }), { secrets: [], now: NOW });
    expect(unscrubbed.message).toContain(secret.slice(0, 10));
    expect(unscrubbed.message).not.toContain(secret);
  });

  it('retryAfterMsOf: seconds, HTTP dates, and reset only when the quota is exhausted', () => {
    expect(retryAfterMsOf({ 'retry-after': '12' }, NOW)).toBe(12_000);
    expect(retryAfterMsOf({ 'retry-after': new Date(NOW + 5_000).toUTCString() }, NOW)).toBe(5_000);
    expect(retryAfterMsOf({ 'retry-after': new Date(NOW - 5_000).toUTCString() }, NOW)).toBe(0);
    expect(retryAfterMsOf({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 30) }, NOW)).toBe(30_000);
    expect(retryAfterMsOf({ 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': String(NOW / 1000 + 30) }, NOW)).toBeUndefined();
    expect(retryAfterMsOf({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
  });
});
