import { REDACTED, redact } from '@integration/contracts';

/** Same threshold as contracts' redact: shorter values would destroy records if replaced. */
const MIN_SECRET_LENGTH = 6;

/** The lease secret values worth matching, longest first so a secret containing another is replaced whole. */
const NO_SECRETS: readonly string[] = Object.freeze([]);

export function matchableSecrets(values: Iterable<string>): string[] {
  if (Array.isArray(values) && values.length === 0) return NO_SECRETS as string[];
  const unique = new Set<string>();
  for (const value of values) if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) unique.add(value);
  return [...unique].sort((a, b) => b.length - a.length);
}

export function scrubString(value: string, secrets: readonly string[]): string {
  return secrets.length === 0 ? value : (redact(value, { secrets }) as string);
}

const redactedBytes = new TextEncoder().encode(REDACTED);

/** Replaces every occurrence of a secret's UTF-8 bytes, so binary payloads are scrubbed too. */
export function scrubBytes(bytes: Uint8Array, secrets: readonly string[]): Uint8Array {
  let current = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let changed = false;
  for (const secret of secrets) {
    const needle = Buffer.from(secret, 'utf8');
    let index = current.indexOf(needle);
    if (index === -1) continue;
    const parts: Buffer[] = [];
    let start = 0;
    while (index !== -1) {
      parts.push(current.subarray(start, index), Buffer.from(redactedBytes));
      start = index + needle.length;
      index = current.indexOf(needle, start);
    }
    parts.push(current.subarray(start));
    current = Buffer.concat(parts);
    changed = true;
  }
  return changed ? new Uint8Array(current.buffer, current.byteOffset, current.byteLength) : bytes;
}
