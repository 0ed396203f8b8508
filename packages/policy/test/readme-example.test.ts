import { describe, expect, it } from 'vitest';
import { decision } from '../examples/deny';

describe('README example (examples/deny.ts)', () => {
  it('produces the documented decision', () => {
    expect(decision.status).toBe('denied');
    expect(decision.reasons).toEqual([
      'actor_id is required',
      'missing required scopes: repo:read',
      'sandbox egress open is wider than allowed blocked',
    ]);
  });
});
