import { randomFillSync } from 'node:crypto';

export const idPrefixes = ['run', 'evt', 'art', 'trg', 'ins', 'conn', 'cred', 'lease', 'disp', 'route', 'sess', 'job'] as const;
export type IdPrefix = (typeof idPrefixes)[number];

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function randomBytes(count: number): Uint8Array {
  if (poolOffset + count > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return slice;
}

let lastTime = -1;
let lastTimePart = '';
const lastRandom = new Uint8Array(RANDOM_CHARS);

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i += 1) {
    out = CROCKFORD[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Increments the 80-bit random part (base-32 digits) for ids minted in the same millisecond. */
function increment(digits: Uint8Array): void {
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return;
    }
    digits[i] = 0;
  }
}

/**
 * A monotonic ULID: 48-bit millisecond time + 80 random bits (Crockford base 32). Random bits come
 * from a pooled CSPRNG, so ids from different processes don't collide; within one process, ids
 * of the same millisecond increment, so they stay strictly ordered.
 */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    increment(lastRandom);
  } else {
    lastTime = now;
    lastTimePart = encodeTime(now);
    const bytes = randomBytes(RANDOM_CHARS);
    for (let i = 0; i < RANDOM_CHARS; i += 1) lastRandom[i] = bytes[i]! & 31;
  }
  let random = '';
  for (let i = 0; i < RANDOM_CHARS; i += 1) random += CROCKFORD[lastRandom[i]!];
  return lastTimePart + random;
}

/** Time-ordered, collision-free ids: `<prefix>_<ULID>`. */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${ulid(now)}`;
}

export function attemptIdFor(runId: string, attempt: number): string {
  return `${runId}:${attempt}`;
}

export function parseAttemptId(attemptId: string): { runId: string; attempt: number } | null {
  const index = attemptId.lastIndexOf(':');
  if (index <= 0) return null;
  const attempt = Number(attemptId.slice(index + 1));
  if (!Number.isInteger(attempt) || attempt < 1) return null;
  return { runId: attemptId.slice(0, index), attempt };
}
