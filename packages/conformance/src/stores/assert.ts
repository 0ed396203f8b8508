import assert from 'node:assert/strict';

export { assert };

/** Awaits `promise` and asserts it rejects with an error carrying `code`; returns that error. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string, label = ''): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    const actual = error && typeof error === 'object' && 'code' in error ? (error as { code: unknown }).code : undefined;
    assert.equal(actual, code, `${label}expected error code ${code}, got ${String(actual)} (${error instanceof Error ? error.message : String(error)})`);
    return error as Error & { code: string };
  }
  assert.fail(`${label}expected a rejection with code ${code}, but the call succeeded`);
}

/** Settles several concurrent calls and splits them into fulfilled values and rejection reasons. */
export async function settleAll<T>(promises: Array<Promise<T>>): Promise<{ ok: T[]; errors: unknown[] }> {
  const settled = await Promise.allSettled(promises);
  return {
    ok: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    errors: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])),
  };
}

export const codeOf = (error: unknown): unknown => (error && typeof error === 'object' && 'code' in error ? (error as { code: unknown }).code : undefined);
