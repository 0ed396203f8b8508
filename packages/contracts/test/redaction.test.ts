import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecretKey, redact, REDACTED } from '../src';

describe('redaction', () => {
  it('redacts secret keys in any spelling', () => {
    for (const key of ['access_token', 'accessToken', 'apiKey', 'API-KEY', 'Authorization', 'client_secret', 'password', 'refresh_token', 'webhook_secret', 'private_key', 'secret', 'token', 'x-api-key', 'Cookie']) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('does not over-match ids, counts and names', () => {
    for (const key of ['credentialRefId', 'maxTokens', 'grantedScopes', 'tokenType', 'secretName', 'secretNames', 'inputTokens', 'authType', 'passwordHint']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('redacts nested keys and lease secret values anywhere in strings', () => {
    const secret = 'tok_live_1234567890';
    const value = {
      headers: { Authorization: `Bearer ${secret}` },
      list: [{ apiKey: 'x1234567' }, `prefix ${secret} suffix`],
      note: secret,
      maxTokens: 12,
    };
    expect(redact(value, { secrets: [secret] })).toEqual({
      headers: { Authorization: REDACTED },
      list: [{ apiKey: REDACTED }, `prefix ${REDACTED} suffix`],
      note: REDACTED,
      maxTokens: 12,
    });
  });

  it('never returns the secret for arbitrary JSON that embeds it', () => {
    const secret = 'canary-secret-value-42';
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (json, key) => {
        const out = JSON.stringify(redact({ json, [key]: secret, nested: [`${secret}`] }, { secrets: [secret] }));
        expect(out).not.toContain(secret);
      }),
    );
  });

  it('keeps an own __proto__ key as data', () => {
    const value = JSON.parse('{"__proto__": {"token": "abcdefgh"}, "a": 1}');
    const out = redact(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"token":"[REDACTED]"},"a":1}');
  });

  it('handles cycles without throwing', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
  });
});
