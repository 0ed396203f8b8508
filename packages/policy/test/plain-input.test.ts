import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyCredentialSchema, PolicyRequestSchema } from '../src/input';
import { plainCredential, plainRequest } from '../src/plain-input';

/** Values that are sometimes right and often wrong, for each field. */
const text = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 4 }), fc.constantFrom('', '  ', 'alice'), fc.anything());
const strings = fc.oneof(fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), fc.sparseArray(fc.string(), { maxLength: 3 }), fc.anything());
const runtimeClass = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom('direct', 'session', 'stream', 'other'), fc.anything());
const override = fc.oneof(fc.constant(undefined), fc.constant(null), fc.anything());

/** What `subjectOf` reads of a parsed request: absent and null text are the same to it. */
const normalizedRequest = (r: Record<string, unknown>) => ({
  actorId: r.actorId ?? null,
  tenantId: r.tenantId ?? null,
  environment: r.environment ?? null,
  traceId: r.traceId ?? null,
  allowedOperations: r.allowedOperations,
  runtimeClass: r.runtimeClass ?? null,
  sandbox: r.sandbox ?? null,
  pressure: r.pressure ?? null,
});

describe('plain policy input shapes', () => {
  it('accept a credential only when the schema does, with the same result', () => {
    const credential = fc.oneof(fc.record({ refId: text, tenantId: text, scopes: strings, extra: fc.anything() }, { requiredKeys: [] }), fc.anything());
    fc.assert(
      fc.property(credential, (raw) => {
        const plain = plainCredential(raw);
        if (plain === null) return;
        const parsed = PolicyCredentialSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(plain).toEqual(parsed.data);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accept a request only when the schema does, with what subjectOf would read', () => {
    const request = fc.oneof(
      fc.record(
        { actorId: text, tenantId: text, environment: text, traceId: text, allowedOperations: strings, runtimeClass, sandbox: override, pressure: override, extra: fc.anything() },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    fc.assert(
      fc.property(request, (raw) => {
        const plain = plainRequest(raw);
        if (plain === null) return;
        const parsed = PolicyRequestSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(normalizedRequest(plain)).toEqual(normalizedRequest(parsed.data as Record<string, unknown>));
      }),
      { numRuns: 2_000 },
    );
  });

  it('take the common shapes (so the hot path really skips zod)', () => {
    expect(plainCredential({ refId: 'cred_anonymous', tenantId: null, scopes: [] })).toEqual({ refId: 'cred_anonymous', tenantId: null, scopes: [] });
    expect(plainRequest({ actorId: 'alice', tenantId: undefined, allowedOperations: ['a.b'] })).toMatchObject({ actorId: 'alice', tenantId: null, allowedOperations: ['a.b'] });
    expect(plainRequest({ allowedOperations: ['a.b'], sandbox: { level: 'strict' } })).toBeNull();
  });
});
