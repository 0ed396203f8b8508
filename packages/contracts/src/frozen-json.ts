/**
 * Deeply frozen values with JSON semantics (what a durable tier round-trips: `undefined` and
 * functions dropped from objects, `null` in arrays, non-finite numbers as `null`, -0 as 0, `toJSON()` applied,
 * so Dates become ISO strings). A frozen object is trusted to be such a value already and is shared,
 * not copied: that is what lets the in-memory tier and its readers skip copies.
 */

function jsonLeaf(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // JSON has no negative zero: a durable tier reads -0 back as 0, so the memory tier must too.
    return value === 0 ? 0 : value;
  }
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

/** A deeply frozen JSON copy of `value` (frozen parts are shared). */
export function frozenJsonCopy<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return jsonLeaf(value);
  if (Object.isFrozen(value) && !(value instanceof Date)) return value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return copyValue(withJson.toJSON());
  if (Array.isArray(value)) {
    return Object.freeze(
      value.map((item) => {
        const cloned = copyValue(item);
        return cloned === undefined ? null : cloned;
      }),
    );
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const cloned = copyValue((value as Record<string, unknown>)[key]);
    if (cloned === undefined) continue;
    // An own `__proto__` key (JSON.parse makes one) is data: assigning it would set the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: cloned, enumerable: true, writable: true, configurable: true });
    else out[key] = cloned;
  }
  return Object.freeze(out);
}
