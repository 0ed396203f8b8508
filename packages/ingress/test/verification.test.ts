import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { VerificationScheme } from '@integration/contracts';
import { signWebhook, verifySignature, type VerificationConfig } from '../src/index';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const NOW_S = Math.floor(NOW / 1000);
const schemes: VerificationScheme[] = ['github', 'hmac_sha256', 'standard_webhooks', 'stripe', 'notion'];
const SW_SECRET = `whsec_${Buffer.from('standard-webhooks-key-0123456789').toString('base64')}`;
const secretFor = (scheme: VerificationScheme) => (scheme === 'standard_webhooks' ? SW_SECRET : 'plain-secret-abcdef');
const config = (scheme: VerificationScheme, secrets = [secretFor(scheme)]): VerificationConfig => ({ scheme, secrets, toleranceSeconds: 300 });

const bodyArb = fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.string({ maxLength: 256 }));

describe('signature verification', () => {
  for (const scheme of schemes) {
    describe(scheme, () => {
      it('accepts exactly what was signed with the secret', () => {
        fc.assert(
          fc.property(bodyArb, fc.integer({ min: -299, max: 299 }), (body, skew) => {
            const headers = signWebhook(scheme, { secret: secretFor(scheme), rawBody: body, timestampSeconds: NOW_S + skew, id: 'msg_1' });
            expect(verifySignature(config(scheme), { headers, rawBody: body, now: NOW })).toEqual({ ok: true });
          }),
          { numRuns: 150 },
        );
      });

      it('rejects any other body, a wrong secret, and random signature headers', () => {
        fc.assert(
          fc.property(bodyArb, bodyArb, fc.string({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 40 }), (signed, received, junk, otherSecret) => {
            const headers = signWebhook(scheme, { secret: secretFor(scheme), rawBody: signed, timestampSeconds: NOW_S, id: 'msg_1' });
            const same = Buffer.compare(Buffer.from(signed as Uint8Array | string as never), Buffer.from(received as never)) === 0;
            if (!same) expect(verifySignature(config(scheme), { headers, rawBody: received, now: NOW }).ok).toBe(false);
            if (otherSecret !== secretFor(scheme)) {
              const forged = scheme === 'standard_webhooks' ? `whsec_${Buffer.from(otherSecret).toString('base64')}` : otherSecret;
              if (forged !== SW_SECRET) {
                const bad = signWebhook(scheme, { secret: forged, rawBody: signed, timestampSeconds: NOW_S, id: 'msg_1' });
                expect(verifySignature(config(scheme), { headers: bad, rawBody: signed, now: NOW }).ok).toBe(false);
              }
            }
            // A random header value in the signature slot (keeping any timestamp headers) never verifies.
            const header = Object.keys(headers).find((h) => h !== 'webhook-id' && h !== 'webhook-timestamp')!;
            const random = { ...headers, [header]: junk };
            expect(verifySignature(config(scheme), { headers: random, rawBody: signed, now: NOW }).ok).toBe(false);
          }),
          { numRuns: 150 },
        );
      });

      it('never throws on hostile header maps', () => {
        fc.assert(
          fc.property(fc.dictionary(fc.constantFrom('x-hub-signature-256', 'x-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'stripe-signature', 'x-notion-signature'), fc.string({ maxLength: 120 })), bodyArb, (headers, body) => {
            expect(verifySignature(config(scheme), { headers, rawBody: body, now: NOW }).ok).toBe(false);
          }),
          { numRuns: 200 },
        );
      });

      it('flips of a single signature character fail', () => {
        const body = '{"orderId":"o-1","amount":3}';
        const headers = signWebhook(scheme, { secret: secretFor(scheme), rawBody: body, timestampSeconds: NOW_S, id: 'msg_1' });
        const header = Object.keys(headers).find((h) => h !== 'webhook-id' && h !== 'webhook-timestamp')!;
        const value = headers[header]!;
        for (let i = value.length - 10; i < value.length; i += 1) {
          const ch = value[i] === 'a' ? 'b' : 'a';
          const tampered = { ...headers, [header]: value.slice(0, i) + ch + value.slice(i + 1) };
          expect(verifySignature(config(scheme), { headers: tampered, rawBody: body, now: NOW }).ok).toBe(false);
        }
      });

      it('supports several active secrets (rotation)', () => {
        const body = 'rotating';
        const oldSecret = scheme === 'standard_webhooks' ? `whsec_${Buffer.from('old-key-material-xyz').toString('base64')}` : 'old-secret-123456';
        const headers = signWebhook(scheme, { secret: oldSecret, rawBody: body, timestampSeconds: NOW_S, id: 'm' });
        expect(verifySignature(config(scheme, [secretFor(scheme), oldSecret]), { headers, rawBody: body, now: NOW }).ok).toBe(true);
        expect(verifySignature(config(scheme), { headers, rawBody: body, now: NOW }).ok).toBe(false);
      });
    });
  }

  for (const scheme of ['standard_webhooks', 'stripe'] as const) {
    it(`${scheme}: timestamps outside the tolerance fail, whatever the signature`, () => {
      fc.assert(
        fc.property(bodyArb, fc.integer({ min: 301, max: 10_000_000 }), fc.boolean(), (body, offset, past) => {
          const ts = past ? NOW_S - offset : NOW_S + offset;
          const headers = signWebhook(scheme, { secret: secretFor(scheme), rawBody: body, timestampSeconds: ts, id: 'msg_1' });
          expect(verifySignature(config(scheme), { headers, rawBody: body, now: NOW })).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
        }),
        { numRuns: 100 },
      );
    });

    it(`${scheme}: the signed timestamp cannot be swapped`, () => {
      const headers = signWebhook(scheme, { secret: secretFor(scheme), rawBody: 'x', timestampSeconds: NOW_S - 10, id: 'msg_1' });
      const swapped: Record<string, string> =
        scheme === 'stripe'
          ? { 'stripe-signature': headers['stripe-signature']!.replace(`t=${NOW_S - 10}`, `t=${NOW_S}`) }
          : { ...headers, 'webhook-timestamp': String(NOW_S) };
      expect(verifySignature(config(scheme), { headers: swapped, rawBody: 'x', now: NOW }).ok).toBe(false);
    });
  }

  it('standard webhooks: the message id is signed', () => {
    const headers = signWebhook('standard_webhooks', { secret: SW_SECRET, rawBody: 'x', timestampSeconds: NOW_S, id: 'msg_a' });
    expect(verifySignature(config('standard_webhooks'), { headers: { ...headers, 'webhook-id': 'msg_b' }, rawBody: 'x', now: NOW }).ok).toBe(false);
  });

  it('github and notion require the sha256= prefix; the generic scheme accepts bare hex', () => {
    const headers = signWebhook('github', { secret: 's3cret-value', rawBody: 'x' });
    const bare = headers['x-hub-signature-256']!.slice('sha256='.length);
    expect(verifySignature({ scheme: 'github', secrets: ['s3cret-value'] }, { headers: { 'x-hub-signature-256': bare }, rawBody: 'x', now: NOW }).ok).toBe(false);
    expect(verifySignature({ scheme: 'hmac_sha256', secrets: ['s3cret-value'] }, { headers: { 'x-signature': bare }, rawBody: 'x', now: NOW }).ok).toBe(true);
    expect(verifySignature({ scheme: 'hmac_sha256', secrets: ['s3cret-value'], header: 'X-My-Sig' }, { headers: { 'x-my-sig': bare }, rawBody: 'x', now: NOW }).ok).toBe(true);
  });

  it('a missing header and an empty secret list are failures with reasons', () => {
    expect(verifySignature(config('github'), { headers: {}, rawBody: 'x', now: NOW })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifySignature({ scheme: 'github', secrets: [] }, { headers: { 'x-hub-signature-256': 'sha256=00' }, rawBody: 'x', now: NOW })).toEqual({ ok: false, reason: 'invalid_secret' });
  });
});
