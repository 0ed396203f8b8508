import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConnectorError,
  declaredSecrets,
  declaresSecrets,
  integrationError,
  isSecretKey,
  isSecretSchema,
  KnownSecrets,
  redact,
  REDACTED,
  scrubError,
  secret,
  secretValuesOf,
} from '../src';
import { errorChainTexts } from '../src/testing';

describe('KnownSecrets', () => {
  it('redacts a long secret anywhere, in its URL-encoded, JSON-escaped and base64 spellings', () => {
    const value = 'tok/live+"1234567890"';
    const secrets = KnownSecrets.of([value]);
    const base64 = Buffer.from(`user:${value}`).toString('base64');
    for (const text of [`Bearer ${value}`, `a${value}b`, `?t=${encodeURIComponent(value)}`, JSON.stringify({ t: value }), `Basic ${base64}`, base64.replace(/\+/g, '-').replace(/\//g, '_')]) {
      expect(secrets.occursIn(text), text).toBe(true);
      expect(secrets.redactText(text)).not.toContain(value);
    }
    expect(secrets.redactText(`Bearer ${value}`)).toBe(`Bearer ${REDACTED}`);
  });

  it('redacts secrets of 1–7 characters as whole tokens only, so unrelated words survive', () => {
    const secrets = KnownSecrets.of(['7', 'q9', 'k3x', 'ab12', 'zz9q1']);
    expect(secrets.redactText('pin 7, code q9; k3x|ab12 "zz9q1"')).toBe(`pin ${REDACTED}, code ${REDACTED}; ${REDACTED}|${REDACTED} "${REDACTED}"`);
    // Inside longer words, numbers and identifiers the short values are left alone.
    const text = 'issue 17 of 2027, q9x, k3x_y, ab123, xzz9q1';
    expect(secrets.redactText(text)).toBe(text);
    expect(secrets.occursIn(text)).toBe(false);
  });

  it('redacts bytes: UTF-8 as text, other bytes by byte search', () => {
    const secrets = KnownSecrets.of(['abc', 'long-secret-value']);
    expect(Buffer.from(secrets.redactBytes(Buffer.from('x abc long-secret-value'))).toString()).toBe(`x ${REDACTED} ${REDACTED}`);
    const binary = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from(' abc '), Buffer.from('long-secret-value')]);
    const clean = Buffer.from(secrets.redactBytes(binary));
    expect(clean.includes('long-secret-value')).toBe(false);
    expect(clean.includes(' abc ')).toBe(false);
    const untouched = Buffer.from([0xff, 0x61, 0x62, 0x63, 0x64]);
    expect(secrets.redactBytes(untouched)).toBe(untouched);
  });

  it('unions sets and reuses a set that already covers them', () => {
    const a = KnownSecrets.of(['one-secret-value']);
    expect(KnownSecrets.of(a, null, [])).toBe(a);
    expect(a.with(['two']).values).toEqual(['one-secret-value', 'two']);
    expect(KnownSecrets.of([''], undefined).isEmpty).toBe(true);
    expect(secretValuesOf({ token: 't', nested: { list: ['a', 1, { b: 'c' }] } })).toEqual(['t', 'a', 'c']);
  });

  it('reuses compiled sets only for exactly the same values', () => {
    expect(KnownSecrets.of(['reused-secret-1'])).toBe(KnownSecrets.of(['reused-secret-1']));
    // Sets whose values would run together under a naive key stay apart.
    const joined = KnownSecrets.of(['ab\u0000cd']);
    const split = KnownSecrets.of(['ab', 'cd']);
    expect(split).not.toBe(joined);
    expect(split.redactText('ab cd')).toBe('[REDACTED] [REDACTED]');
    expect(joined.redactText('ab cd')).toBe('ab cd');
    // More sets than the cache holds: each still redacts its own values.
    const many = Array.from({ length: 100 }, (_, i) => [`rotating-token-${i}`]);
    for (const values of many) expect(KnownSecrets.of(values).redactText(`x ${values[0]} y`)).toBe('x [REDACTED] y');
  });

  it('property: no secret of any length survives redaction of text that embeds it as a token', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 24 }).filter((s) => /^[\p{L}\p{N}_-]+$/u.test(s)), fc.string(), fc.string(), (value, before, after) => {
        const secrets = KnownSecrets.of([value]);
        const text = `${before} ${value} ${after}`;
        expect(secrets.occursIn(secrets.redactText(text))).toBe(false);
        expect(secrets.redactText(text)).toContain(REDACTED);
      }),
    );
  });
});

describe('redact', () => {
  it('redacts known values in keys and strings, and passes everything else through exactly', () => {
    const value = 'tok_live_1234567890';
    const data = {
      headers: { Authorization: `Bearer ${value}` },
      pinned_comment: { pin: { pinned_at: '2026-01-01T00:00:00Z' } },
      properties: { 'API key': { rich_text: [] }, PIN: { number: 4 }, Token: 'plain' },
      pageToken: 'pg-abc123',
      [value]: 1,
    };
    expect(redact(data, { secrets: [value] })).toEqual({
      headers: { Authorization: `Bearer ${REDACTED}` },
      pinned_comment: { pin: { pinned_at: '2026-01-01T00:00:00Z' } },
      properties: { 'API key': { rich_text: [] }, PIN: { number: 4 }, Token: 'plain' },
      pageToken: 'pg-abc123',
      [REDACTED]: 1,
    });
  });

  it('returns the value itself when it knows no secret', () => {
    const data = { token: 'abc', password: 'x' };
    expect(redact(data)).toBe(data);
    expect(redact(data, { secrets: KnownSecrets.none })).toBe(data);
  });

  it('redacts secret-looking key names only when asked (free-form logs)', () => {
    expect(redact({ token: 'abc', maxTokens: 3 }, { keyNames: true })).toEqual({ token: REDACTED, maxTokens: 3 });
    for (const key of ['access_token', 'apiKey', 'Authorization', 'client_secret', 'x-api-key', 'Cookie']) expect(isSecretKey(key), key).toBe(true);
    for (const key of ['credentialRefId', 'maxTokens', 'tokenType', 'secretName', 'inputTokens']) expect(isSecretKey(key), key).toBe(false);
  });

  it('serialises errors with their cause chain, redacted', () => {
    const value = 'cause-secret-0001';
    const error = new Error('outer', { cause: new Error(`inner ${value}`) });
    expect(JSON.stringify(redact({ error }, { secrets: [value] }))).toBe(`{"error":{"name":"Error","message":"outer","cause":{"name":"Error","message":"inner ${REDACTED}"}}}`);
  });

  it('keeps an own __proto__ key as data and handles cycles', () => {
    const value = JSON.parse('{"__proto__": {"token": "abcdefgh"}, "a": 1}');
    const out = redact(value, { secrets: ['abcdefgh'] }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"token":"[REDACTED]"},"a":1}');
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a, { secrets: ['zzzzzzzz'] })).toEqual({ name: 'a', self: '[Circular]' });
  });

  it('property: arbitrary JSON embedding a secret never keeps it', () => {
    const value = 'canary-secret-value-42';
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (json, key) => {
        expect(JSON.stringify(redact({ json, [key]: value, nested: [`${value}`] }, { secrets: [value] }))).not.toContain(value);
      }),
    );
  });

  it('property: without a matching secret, data comes back equal', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        expect(redact(json, { secrets: ['\u0001never-in-json\u0002'] })).toEqual(json);
      }),
    );
  });
});

describe('declared secrets', () => {
  const Input = z.object({
    query: z.string(),
    apiKey: secret(z.string()).optional(),
    pageToken: z.string().optional(),
    accounts: z.array(z.object({ name: z.string(), password: secret(z.string()) })).default([]),
    auth: z.union([z.object({ kind: z.literal('key'), key: secret(z.string()) }), z.object({ kind: z.literal('none') })]).optional(),
    extra: z.record(z.string(), secret(z.string())).optional(),
  });

  it('marks fields through wrappers and finds them anywhere in a schema', () => {
    expect(isSecretSchema(secret(z.string()))).toBe(true);
    expect(isSecretSchema(z.string())).toBe(false);
    expect(declaresSecrets(Input)).toBe(true);
    expect(declaresSecrets(z.object({ token: z.string() }))).toBe(false);
    expect(z.toJSONSchema(z.object({ k: secret(z.string()) }))).toMatchObject({ properties: { k: { secret: true } } });
  });

  it('gives a redacted view and the declared values; undeclared fields pass through', () => {
    const value = Input.parse({
      query: 'q',
      apiKey: 'k1',
      pageToken: 'pg-abc123',
      accounts: [{ name: 'a', password: 'pw-1' }],
      auth: { kind: 'key', key: 'kk' },
      extra: { one: 'e1' },
    });
    const { view, values } = declaredSecrets(Input, value);
    expect(view).toEqual({
      query: 'q',
      apiKey: REDACTED,
      pageToken: 'pg-abc123',
      accounts: [{ name: 'a', password: REDACTED }],
      auth: { kind: 'key', key: REDACTED },
      extra: { one: REDACTED },
    });
    expect(new Set(values)).toEqual(new Set(['k1', 'pw-1', 'kk', 'e1']));
    expect(value.apiKey).toBe('k1');
  });

  it('returns the value itself when no declared field holds a value', () => {
    const value = Input.parse({ query: 'q' });
    const declared = declaredSecrets(Input, value);
    expect(declared.view).toBe(value);
    expect(declared.values).toEqual([]);
    const plain = { token: 't' };
    expect(declaredSecrets(z.object({ token: z.string() }), plain).view).toBe(plain);
  });
});

describe('scrubError', () => {
  const value = 'k3x';
  const long = 'long-secret-value-99';
  const secrets = KnownSecrets.of([value, long]);
  const leaks = (error: unknown): boolean => errorChainTexts(error).some((t) => secrets.occursIn(t));

  it('scrubs message, stack, details, upstream and the whole cause chain in place', () => {
    const inner = new Error(`socket said ${long}`);
    const middle = new ConnectorError({ class: 'invalid_request', message: `provider rejected pin ${value}`, cause: inner, upstream: { body: `token=${long}` } });
    const outer = integrationError('runtime_failed', 'failed', { details: { header: `Bearer ${long}` }, cause: middle });
    expect(leaks(outer)).toBe(true);
    const scrubbed = scrubError(outer, secrets);
    expect(scrubbed).toBe(outer);
    expect(scrubbed.code).toBe('runtime_failed');
    expect(leaks(scrubbed)).toBe(false);
    expect((scrubbed.cause as Error).message).toBe(`provider rejected pin ${REDACTED}`);
  });

  it('scrubs AggregateError.errors and replaces frozen errors with clean copies', () => {
    const frozen = Object.freeze(new Error(`frozen ${long}`));
    const aggregate = new AggregateError([new Error(`one ${value}`), frozen], `all failed ${value}`);
    const scrubbed = scrubError(aggregate, secrets);
    expect(leaks(scrubbed)).toBe(false);
    expect(scrubbed.errors).toHaveLength(2);
    expect(String((scrubbed.errors[1] as Error).message)).toBe(`frozen ${REDACTED}`);
  });

  it('survives cycles and non-error throws', () => {
    const a = new Error(`a ${long}`) as Error & { cause?: unknown };
    a.cause = a;
    expect(leaks(scrubError(a, secrets))).toBe(false);
    expect(scrubError(`thrown ${long}`, secrets)).toBe(`thrown ${REDACTED}`);
    expect(scrubError(undefined, secrets)).toBeUndefined();
  });
});
