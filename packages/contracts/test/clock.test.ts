import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoAt } from '../src';

describe('isoAt', () => {
  it('always equals Date#toISOString, whatever the order of instants (its cache never answers stale)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }), (picks) => {
        const instants = [0, 1, -1, -1_001, 999, 1_767_225_600_000, 1_767_225_600_999, 1_767_225_601_001, 8.64e15, -8.64e15, 1.5];
        for (const pick of picks) expect(isoAt(instants[pick]!)).toBe(new Date(instants[pick]!).toISOString());
      }),
    );
  });

  it('throws like toISOString for instants a Date cannot hold', () => {
    expect(() => isoAt(Number.NaN)).toThrow(RangeError);
    expect(() => isoAt(8.64e15 + 1)).toThrow(RangeError);
  });
});
