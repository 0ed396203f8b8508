import { createHash } from 'node:crypto';

/** A stable signed 64-bit advisory-lock key for a name (first 8 bytes of its SHA-256). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
