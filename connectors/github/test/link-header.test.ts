import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePageLinks } from '../src';

describe('parsePageLinks', () => {
  it('reads a real GitHub Link header', () => {
    const header =
      '<https://api.github.com/repositories/1300192/issues?page=2&per_page=30>; rel="prev", ' +
      '<https://api.github.com/repositories/1300192/issues?page=4&per_page=30>; rel="next", ' +
      '<https://api.github.com/repositories/1300192/issues?page=515&per_page=30>; rel="last", ' +
      '<https://api.github.com/repositories/1300192/issues?page=1&per_page=30>; rel="first"';
    expect(parsePageLinks(header)).toEqual({ prev: 2, next: 4, last: 515, first: 1 });
  });

  it('is empty for a missing header or one without page numbers', () => {
    expect(parsePageLinks(undefined)).toEqual({ next: null, prev: null, first: null, last: null });
    expect(parsePageLinks('')).toEqual({ next: null, prev: null, first: null, last: null });
    expect(parsePageLinks('<https://api.github.com/x?after=abc>; rel="next"').next).toBeNull();
    expect(parsePageLinks('<https://api.github.com/x?page=0>; rel="next"').next).toBeNull();
    expect(parsePageLinks('garbage, more garbage; rel=next').next).toBeNull();
  });

  it('accepts unquoted and multi-valued rel and commas inside URLs', () => {
    expect(parsePageLinks('<https://h/x?labels=a,b&page=3>; rel=next').next).toBe(3);
    expect(parsePageLinks('<https://h/x?page=9>; rel="last next"')).toMatchObject({ next: 9, last: 9 });
  });

  it('property: never throws, and round-trips generated headers', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void parsePageLinks(text)));
    const rel = fc.constantFrom('next', 'prev', 'first', 'last');
    const entry = fc.record({ rel, page: fc.integer({ min: 1, max: 1_000_000 }), perPage: fc.integer({ min: 1, max: 100 }) });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.rel, maxLength: 4 }), (entries) => {
        const header = entries.map((e) => `<https://api.github.com/repositories/1/issues?state=all&page=${e.page}&per_page=${e.perPage}>; rel="${e.rel}"`).join(', ');
        const links = parsePageLinks(header);
        for (const e of entries) expect(links[e.rel]).toBe(e.page);
        for (const name of ['next', 'prev', 'first', 'last'] as const) if (!entries.some((e) => e.rel === name)) expect(links[name]).toBeNull();
      }),
    );
  });
});
