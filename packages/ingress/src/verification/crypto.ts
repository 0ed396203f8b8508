import { createHmac, timingSafeEqual } from 'node:crypto';

export type Bytes = Uint8Array;

export function toBytes(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function hmacSha256(key: string | Uint8Array, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac('sha256', toBytes(key));
  for (const part of parts) mac.update(toBytes(part));
  return mac.digest();
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes strict hex; null for anything that is not an even-length hex string. */
export function decodeHex(text: string): Buffer | null {
  if (text.length === 0 || text.length % 2 !== 0 || !HEX.test(text)) return null;
  return Buffer.from(text, 'hex');
}

/** Decodes strict (padded or unpadded) standard base64; null otherwise. */
export function decodeBase64(text: string): Buffer | null {
  if (text.length === 0 || !BASE64.test(text)) return null;
  const decoded = Buffer.from(text, 'base64');
  // Round-trip check rejects non-canonical encodings that Buffer would silently accept.
  const canonical = decoded.toString('base64');
  return canonical.replace(/=+$/, '') === text.replace(/=+$/, '') ? decoded : null;
}

/** Constant-time comparison; a length mismatch is simply "not equal". */
export function sameBytes(expected: Buffer, received: Buffer | null): boolean {
  if (!received || received.length !== expected.length) return false;
  return timingSafeEqual(expected, received);
}
