import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptIdFor, canonicalHash, canonicalJson, newId, parseAttemptId } from '../src';

describe('ids', () => {
  it('are prefixed, time-ordered and unique', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('run'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^run_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('stay ordered within one millisecond, across carries out of the last digits', () => {
    const at = Date.now();
    // 5,000 ids in one millisecond carry out of the two-digit tail more than once.
    const ids = Array.from({ length: 5_000 }, () => newId('evt', at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ids.every((id) => id.slice(4, 14) === ids[0]!.slice(4, 14))).toBe(true);
  });

  it('do not collide across processes', () => {
    // Two processes minting ids in the very same millisecond.
    const at = String(Date.now());
    const script = join(__dirname, 'support', 'print-ids.ts');
    const runs = [0, 1].map(() => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, at], { encoding: 'utf8' })) as string[]);
    const all = new Set([...runs[0]!, ...runs[1]!]);
    expect(all.size).toBe(4000);
  });

  it('attempt ids round-trip', () => {
    expect(attemptIdFor('run_1', 3)).toBe('run_1:3');
    expect(parseAttemptId('run_1:3')).toEqual({ runId: 'run_1', attempt: 3 });
    expect(parseAttemptId('run_1:0')).toBeNull();
    expect(parseAttemptId('nope')).toBeNull();
  });
});

describe('canonical JSON', () => {
  it('is independent of key order (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
    expect(canonicalHash({ x: 1, y: 2 })).toBe(canonicalHash({ y: 2, x: 1 }));
    expect(canonicalHash({ x: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
