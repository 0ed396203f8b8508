import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh high-entropy token, base64url (256 bits). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string comparison (compares digests, so lengths never leak). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}

/** Checks a presented callback token against the stored SHA-256 hex digest. */
export function callbackTokenMatches(presented: string, storedHash: string): boolean {
  return constantTimeEqual(sha256Hex(presented), storedHash);
}
