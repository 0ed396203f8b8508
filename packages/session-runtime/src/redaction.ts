import { checksumOf, canonicalHash, integrationError, redact, type IntegrationError } from '@integration/contracts';

/** Rebuilds an error with its message and details redacted by the lease's secret values. */
export function redactError(error: IntegrationError, secrets: string[]): IntegrationError {
  return integrationError(error.code, redact(error.message, { secrets }), {
    details: redact(error.details, { secrets }),
    retryable: error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}

/**
 * A stable, non-reversible fingerprint of the credential a run used (`sha256:<hex>`), so outputs
 * can show which binding ran without carrying the secret.
 */
export function authBindingOf(payload: Record<string, string>, field = 'access_token'): string {
  const primary = payload[field];
  if (typeof primary === 'string' && primary.length > 0) return checksumOf(primary);
  if (Object.keys(payload).length > 0) return canonicalHash(payload);
  return 'anonymous';
}
