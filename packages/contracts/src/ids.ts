import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export const idPrefixes = [
  'run',
  'evt',
  'art',
  'trg',
  'ins',
  'conn',
  'cred',
  'lease',
  'disp',
  'route',
  'sess',
  'job',
] as const;
export type IdPrefix = (typeof idPrefixes)[number];

/**
 * Time-ordered, collision-free ids: `<prefix>_<ULID>`. The ULID's 80 random bits make ids from
 * different processes distinct; within one process they are strictly increasing.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${nextUlid(now)}`;
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
