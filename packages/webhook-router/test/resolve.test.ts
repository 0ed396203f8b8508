import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readPath } from '../src/index';

describe('tenant resolution dot paths', () => {
  it('read own properties only: prototype members never resolve', () => {
    fc.assert(
      fc.property(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'), fc.jsonValue(), (key, value) => {
        const root = { body: JSON.parse(JSON.stringify({ nested: value })) };
        expect(readPath(root, `body.${key}`)).not.toBe(Object.prototype);
        const direct = readPath(root, `body.nested.${key}`);
        if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) {
          expect(typeof direct).toBe('symbol');
        }
      }),
    );
  });

  it('finds what is there and nothing else', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.includes('.')), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (dict) => {
        const root = { body: { account: dict } };
        for (const [k, v] of Object.entries(dict)) {
          if (k === '__proto__') continue;
          expect(readPath(root, `body.account.${k}`)).toBe(v);
        }
        expect(typeof readPath(root, 'body.account.missing.deeper')).toBe('symbol');
      }),
    );
  });
});
