import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frozenJsonCopy, redact } from '../src';

const isDeeplyFrozen = (value: unknown): boolean =>
  value === null || typeof value !== 'object' || (Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen));

/** JSON-shaped values with the things JSON rewrites mixed in: undefined, Dates, non-finite numbers. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }),
    fc.constant(undefined),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('frozen JSON', () => {
  it('frozenJsonCopy and redact(…, { frozenJson: true }) both give what a JSON round trip gives, deeply frozen', () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        const viaJson = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
        const copied = frozenJsonCopy(structuredClone(value));
        const redacted = redact(structuredClone(value), { frozenJson: true, secrets: ['zz-not-present'] });
        expect(copied).toEqual(viaJson);
        expect(redacted).toEqual(viaJson);
        expect(isDeeplyFrozen(copied) && isDeeplyFrozen(redacted)).toBe(true);
      }),
      // -0 once failed a CI run (JSON reads it back as 0); so did an own `__proto__` key.
      { examples: [[-0], [[-0]], [{ n: -0 }], [JSON.parse('{"__proto__":""}')], [JSON.parse('{"a":{"__proto__":{"b":1}}}')]] },
    );
  });

  it('frozenJsonCopy never touches its input; the redacting copy is a plain frozen object even for class instances', () => {
    const input = { a: { b: [1, undefined] }, when: new Date(0) };
    const copied = frozenJsonCopy(input);
    expect(Object.isFrozen(input)).toBe(false);
    expect(input.a.b).toEqual([1, undefined]);
    expect(copied).toEqual({ a: { b: [1, null] }, when: '1970-01-01T00:00:00.000Z' });

    class Point {
      constructor(public x: number) {}
    }
    const point = new Point(1);
    const redacted = redact({ point, list: [point], token: 'abcdef', at: new Date(0) }, { frozenJson: true, secrets: ['1970-01-01'] });
    expect(Object.isFrozen(point)).toBe(false);
    // Only the known value is replaced: a key named `token` is data like any other.
    expect(redacted).toEqual({ point: { x: 1 }, list: [{ x: 1 }], token: 'abcdef', at: '[REDACTED]T00:00:00.000Z' });
    expect(isDeeplyFrozen(redacted)).toBe(true);
  });

  it('shares frozen parts instead of copying them', () => {
    const shared = Object.freeze({ traceId: 't' });
    const copied = frozenJsonCopy({ trace: shared });
    expect(copied.trace).toBe(shared);
    expect(frozenJsonCopy(copied)).toBe(copied);
  });
});
