/** Every expiry, TTL and backoff reads time through a Clock so tests can drive it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.parse('2026-01-01T00:00:00.000Z')) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

const MAX_DATE_MS = 8.64e15;

/** `000` … `999`: the millisecond field of an ISO timestamp. */
const MILLIS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

// Date#toISOString formats in C++ and is slow; the ledger stamps many records per second, usually
// alternating two instants (now, and an expiry). So the `YYYY-MM-DDTHH:mm:ss.` part of the two
// most recent seconds is cached and only the milliseconds are appended.
let newestSecond = Number.NaN;
let newestPrefix = '';
let olderSecond = Number.NaN;
let olderPrefix = '';

function secondPrefix(second: number): string {
  if (second === newestSecond) return newestPrefix;
  if (second === olderSecond) return olderPrefix;
  olderSecond = newestSecond;
  olderPrefix = newestPrefix;
  newestSecond = second;
  const iso = new Date(second).toISOString();
  newestPrefix = iso.slice(0, iso.length - 4);
  return newestPrefix;
}

/** ISO-8601 with milliseconds, exactly as Date#toISOString (throws the same RangeError when invalid). */
export function isoAt(ms: number): string {
  const millis = ((ms % 1000) + 1000) % 1000;
  if (!Number.isInteger(millis) || Math.abs(ms) > MAX_DATE_MS) return new Date(ms).toISOString();
  return secondPrefix(ms - millis) + MILLIS[millis]! + 'Z';
}
