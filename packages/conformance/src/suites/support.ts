import type { CheckResult, SuiteId, SuiteResult } from '../report';

type Details = Record<string, unknown>;

export const pass = (id: string, message: string, details: Details = {}): CheckResult => ({ id, status: 'passed', message, details });
export const fail = (id: string, message: string, details: Details = {}): CheckResult => ({ id, status: 'failed', message, details });
export const skip = (id: string, message: string, details: Details = {}): CheckResult => ({ id, status: 'skipped', message, details });

/** `pass` when `ok`, otherwise `fail` with the failure message. */
export function check(id: string, ok: boolean, passMessage: string, failMessage: string, details: Details = {}): CheckResult {
  return ok ? pass(id, passMessage, details) : fail(id, failMessage, details);
}

/**
 * Folds checks into a suite: failed if any check failed; skipped when it has no checks or only
 * skipped ones (a skip never counts as a failure); passed otherwise.
 */
export function suiteOf(id: SuiteId, checks: CheckResult[], skippedBecause?: string): SuiteResult {
  const failed = checks.filter((c) => c.status === 'failed').length;
  const passed = checks.filter((c) => c.status === 'passed').length;
  const skipped = checks.length - failed - passed;
  if (failed > 0) return { id, status: 'failed', summary: `${failed} of ${checks.length} checks failed`, checks };
  if (passed === 0) return { id, status: 'skipped', summary: skippedBecause ?? (checks.length === 0 ? 'no checks apply' : `${skipped} checks skipped`), checks };
  return { id, status: 'passed', summary: `${passed} checks passed${skipped > 0 ? `, ${skipped} skipped` : ''}`, checks };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${(error as { code?: string }).code ? `${(error as { code?: string }).code}: ` : ''}${error.message}`;
  return String(error);
}

export const sortedCopy = (values: readonly string[]): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
export const isSorted = (values: readonly string[]): boolean => values.every((v, i) => i === 0 || values[i - 1]! <= v);
export function duplicatesOf(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const v of values) (seen.has(v) ? dupes : seen).add(v);
  return [...dupes].sort();
}
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The strings of a list, or [] when it is not one (hand-built definitions may hold anything). */
export const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
