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
/** The time part and all random digits but the last two, as a string; rebuilt only when they change. */
let head = '';
const TAIL_DIGITS = 2;
/** Every pair of base-32 digits as a two-character string, so the changing tail costs one lookup. */
const DIGIT_PAIRS = Array.from({ length: 32 * 32 }, (_, n) => CROCKFORD[n >> 5]! + CROCKFORD[n & 31]!);

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i += 1) {
    out = CROCKFORD[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * Increments the 80-bit random part (base-32 digits) for ids minted in the same millisecond.
 * Returns the index of the leftmost digit that changed.
 */
function increment(digits: Uint8Array): number {
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return i;
    }
    digits[i] = 0;
  }
  return 0;
}

/**
 * A monotonic ULID: 48-bit millisecond time + 80 random bits (Crockford base 32). Random bits come
 * from a pooled CSPRNG, so ids from different processes don't collide; within one process, ids
 * of the same millisecond increment, so they stay strictly ordered.
 */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    if (increment(lastRandom) < RANDOM_CHARS - TAIL_DIGITS) head = '';
  } else {
    lastTime = now;
    lastTimePart = encodeTime(now);
    const bytes = randomBytes(RANDOM_CHARS);
    for (let i = 0; i < RANDOM_CHARS; i += 1) lastRandom[i] = bytes[i]! & 31;
    head = '';
  }
  if (head === '') {
    head = lastTimePart;
    for (let i = 0; i < RANDOM_CHARS - TAIL_DIGITS; i += 2) head += DIGIT_PAIRS[lastRandom[i]! * 32 + lastRandom[i + 1]!];
  }
  return head + DIGIT_PAIRS[lastRandom[RANDOM_CHARS - 2]! * 32 + lastRandom[RANDOM_CHARS - 1]!];
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
