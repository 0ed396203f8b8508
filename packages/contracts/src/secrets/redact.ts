import { frozenJsonCopy } from '../frozen-json';
import { KnownSecrets, REDACTED } from './known-secrets';
import { isSecretKey } from './secret-key-names';

export interface RedactOptions {
  /** The secret values known for this call; every occurrence, in keys and strings, is replaced. */
  secrets?: KnownSecrets | Iterable<string>;
  /**
   * Also replace values under secret-looking key names (`access_token`, `Authorization`…). Opt-in,
   * for free-form log payloads only: never for provider data, outputs, artifacts or records.
   */
  keyNames?: boolean;
  /**
   * Return deeply frozen JSON (what a durable record holds: Dates as ISO strings, `toJSON()`
   * applied, non-finite numbers and array holes as null, functions dropped), in the same pass.
   */
  frozenJson?: boolean;
}

interface Walk {
  secrets: KnownSecrets;
  keyNames: boolean;
  /** The path from the root: a value met again on it is a cycle (depth is small, a scan is cheapest). */
  ancestors: object[];
  frozenJson: boolean;
}

export const knownSecretsOf = (secrets: RedactOptions['secrets']): KnownSecrets =>
  secrets instanceof KnownSecrets ? secrets : secrets ? KnownSecrets.of(secrets) : KnownSecrets.none;

/**
 * A copy of `value` with every known secret value replaced by `[REDACTED]`. Nothing else is
 * touched: keys, shapes and all other data pass through exactly. With nothing to redact and no
 * `frozenJson`, `value` itself is returned.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const secrets = knownSecretsOf(options.secrets);
  const keyNames = options.keyNames === true;
  const frozenJson = options.frozenJson === true;
  if (secrets.isEmpty && !keyNames) return frozenJson ? frozenJsonCopy(value) : value;
  return redactValue(value, { secrets, keyNames, ancestors: [], frozenJson }) as T;
}

function redactValue(value: unknown, walk: Walk): unknown {
  if (typeof value === 'string') return walk.secrets.redactText(value);
  if (value === null || typeof value !== 'object') return walk.frozenJson ? frozenJsonCopy(value) : value;
  if (walk.ancestors.includes(value)) return '[Circular]';
  if (value instanceof Uint8Array) {
    const clean = walk.secrets.redactBytes(value);
    return walk.frozenJson ? frozenJsonCopy(clean) : clean;
  }
  if (walk.frozenJson) {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return redactValue(withJson.toJSON(), walk);
  } else if (value instanceof Date) {
    return value;
  }
  walk.ancestors.push(value);
  try {
    const container = redactContainer(value, walk);
    return walk.frozenJson ? Object.freeze(container) : container;
  } finally {
    walk.ancestors.pop();
  }
}

function redactContainer(value: object, walk: Walk): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => {
      const cleaned = redactValue(item, walk);
      return cleaned === undefined && walk.frozenJson ? null : cleaned;
    });
  }
  if (value instanceof Map) return redactEntries([...value.entries()].map(([k, v]) => [String(k), v]), walk);
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return redactEntries(
      [
        ['name', value.name],
        ['message', value.message],
        ...Object.entries(value),
        ...(cause === undefined ? [] : ([['cause', cause]] as Array<[string, unknown]>)),
      ],
      walk,
    );
  }
  return redactEntries(Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]), walk);
}

function redactEntries(entries: Array<[string, unknown]>, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, child] of entries) {
    if (child === undefined) continue;
    const key = walk.secrets.redactText(rawKey);
    const cleaned = walk.keyNames && isSecretKey(rawKey) && child !== null && child !== '' ? REDACTED : redactValue(child, walk);
    if (cleaned === undefined) continue;
    // An own `__proto__` key is data: define it rather than assign it (which would set the prototype).
    if (key === '__proto__') Object.defineProperty(out, key, { value: cleaned, enumerable: true, writable: true, configurable: true });
    else out[key] = cleaned;
  }
  return out;
}
