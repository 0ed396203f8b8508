import { checksumOf, canonicalHash } from '@integration/contracts';

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
