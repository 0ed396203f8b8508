/**
 * A deep, frozen copy of plain JSON-shaped data (leases, execution policies), so a handler cannot
 * mutate the host's objects. Much cheaper than structuredClone for these small records.
 */
export function frozenCopy<T>(value: T): T {
  return copyFrozen(value) as T;
}

function copyFrozen(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.freeze(value.map(copyFrozen));
  if (value instanceof Date) return new Date(value.getTime());
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyFrozen((value as Record<string, unknown>)[key]);
  return Object.freeze(out);
}
