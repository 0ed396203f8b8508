import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConflictError, ConnectorError, IntegrationError, PolicyError } from '@integration/contracts';
import { backoffDelay, classifyFailure, DEFAULT_BACKOFF } from '../src/index';

describe('backoff', () => {
  it('is full jitter under an exponential ceiling, with Retry-After as a floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }), (attempt, r, retryAfter) => {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF, () => r, retryAfter);
        const ceiling = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
        expect(delay).toBeGreaterThanOrEqual(0);
        if (retryAfter === undefined) expect(delay).toBeLessThanOrEqual(ceiling);
        else expect(delay).toBeGreaterThanOrEqual(retryAfter);
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999999)).toBe(999);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2_000);
    expect(backoffDelay(10, DEFAULT_BACKOFF, () => 0.999999)).toBe(29_999);
  });
});

describe('failure classification', () => {
  const now = Date.now();
  it('policy and terminal run states dead-letter at once; run_completed completes', () => {
    expect(classifyFailure(new PolicyError('policy_denied', 'no'), 1, 5, now).kind).toBe('dead_letter');
    expect(classifyFailure(new PolicyError('policy_shed', 'no'), 1, 5, now).kind).toBe('dead_letter');
    expect(classifyFailure(new ConflictError('run_denied', 'no'), 1, 5, now).kind).toBe('dead_letter');
    expect(classifyFailure(new ConflictError('run_shed', 'no'), 1, 5, now).kind).toBe('dead_letter');
    expect(classifyFailure(new ConflictError('run_completed', 'done'), 1, 5, now)).toEqual({ kind: 'completed', recovered: true });
  });
  it('connector errors follow their retryable flag; concurrent-execution conflicts retry', () => {
    expect(classifyFailure(new ConnectorError({ class: 'invalid_request', message: 'x' }), 1, 5, now).kind).toBe('dead_letter');
    expect(classifyFailure(new ConnectorError({ class: 'auth_failed', message: 'x' }), 1, 5, now).kind).toBe('dead_letter');
    const rate = classifyFailure(new ConnectorError({ class: 'rate_limited', message: 'x', retryAfterMs: 1500 }), 1, 5, now);
    expect(rate).toMatchObject({ kind: 'retry', retryAfterMs: 1500 });
    expect(classifyFailure(new ConflictError('duplicate_record', 'x'), 1, 5, now).kind).toBe('retry');
    expect(classifyFailure(new IntegrationError('store_unavailable', 'x'), 1, 5, now).kind).toBe('retry');
    expect(classifyFailure(new TypeError('bug'), 1, 5, now).kind).toBe('retry');
    expect(classifyFailure(new TypeError('bug'), 5, 5, now).kind).toBe('dead_letter');
  });
});
