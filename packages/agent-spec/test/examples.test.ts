import { afterEach, describe, expect, it, vi } from 'vitest';

describe('README example (examples/quick-start.ts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs and prints what the README says', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await import('../examples/quick-start');
    expect(log.mock.calls).toEqual([[true], ['It is 09:30.']]);
  });
});
