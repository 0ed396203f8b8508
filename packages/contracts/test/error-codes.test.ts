import { describe, expect, it } from 'vitest';
import { defineErrorCodes, errorCodes, integrationError, isErrorCode, NotFoundError, ValidationError, type ErrorCode, type ErrorCodeSet } from '../src';

describe('error codes', () => {
  it('knows every platform code and refuses strangers', () => {
    for (const code of Object.values(errorCodes).flat()) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('no_such_code_anywhere')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });

  it('lets a package register codes of its own, each with one category', () => {
    const declared = defineErrorCodes({ validation: ['test_pkg_bad_widget'], not_found: ['test_pkg_unknown_widget'] });
    expect(declared.validation).toEqual(['test_pkg_bad_widget']);
    expect(isErrorCode('test_pkg_bad_widget')).toBe(true);
    // The type registry is extended by declaration merging; here the test stands in for it.
    const missing = integrationError('test_pkg_unknown_widget' as ErrorCode, 'no widget');
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.category).toBe('not_found');
    expect(integrationError('test_pkg_bad_widget' as ErrorCode, 'bad')).toBeInstanceOf(ValidationError);

    expect(() => defineErrorCodes({ validation: ['test_pkg_bad_widget'] })).not.toThrow();
    expect(() => defineErrorCodes({ conflict: ['test_pkg_bad_widget'] })).toThrowError(/already registered as validation/);
    expect(() => defineErrorCodes({ nonsense: ['test_pkg_x'] } as unknown as ErrorCodeSet)).toThrowError(/unknown error category/);
  });

  it('keeps unregistered codes out of IntegrationError', () => {
    expect(() => integrationError('test_pkg_never_declared' as ErrorCode, 'x')).toThrowError(/unregistered error code/);
  });
});
