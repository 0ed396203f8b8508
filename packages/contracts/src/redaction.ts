import { frozenJsonCopy } from './frozen-json';

export const REDACTED = '[REDACTED]';

/** Normalised key names (lower-case, alphanumerics only) that always hold a secret. */
const exactSecretKeys = new Set([
  'authorization',
  'proxyauthorization',
  'bearer',
  'cookie',
  'setcookie',
  'credentials',
  'passphrase',
  'passwd',
  'pwd',
  'otp',
  'pin',
]);

/**
 * Normalised suffixes that mark a secret. Matching the end of the key (not any substring) keeps
 * `credentialRefId`, `maxTokens`, `tokenType`, `grantedScopes` and `secretName` visible.
 */
const secretSuffixes = [
  'token',
  'secret',
  'password',
  'apikey',
  'privatekey',
  'accesskey',
  'signingkey',
  'sessionkey',
  'encryptionkey',
  'clientassertion',
];

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function classifyKey(key: string): boolean {
  const normalized = normalizeKey(key);
  if (normalized.length === 0) return false;
  if (exactSecretKeys.has(normalized)) return true;
  return secretSuffixes.some((suffix) => normalized.endsWith(suffix));
}

/** Records reuse a small vocabulary of keys; every durable write redacts, so verdicts are cached (bounded). */
const keyVerdicts = new Map<string, boolean>();
const MAX_CACHED_KEYS = 4_096;

export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = classifyKey(key);
    if (keyVerdicts.size >= MAX_CACHED_KEYS) keyVerdicts.clear();
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}

export interface RedactOptions {
  /** Secret values (e.g. the current lease's payload); any string containing one is redacted. */
  secrets?: Iterable<string>;
  /**
   * Return deeply frozen JSON (what a durable record holds: Dates as ISO strings, `toJSON()`
   * applied, non-finite numbers and array holes as null, functions dropped), in the same pass.
   */
  frozenJson?: boolean;
}

/** Values shorter than this are not matched by value: replacing every "a" would destroy records. */
const MIN_SECRET_VALUE_LENGTH = 6;

/**
 * Returns a deep copy of `value` with secret-named keys and known secret values replaced by
 * `[REDACTED]`. Used on every durable write, log line, telemetry payload and error detail.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const secrets = options.secrets ? collectSecrets(options.secrets) : NO_SECRETS;
  return redactValue(value, { secrets, ancestors: [], frozenJson: options.frozenJson === true }) as T;
}

interface Walk {
  secrets: string[];
  /** The path from the root: a value met again on it is a cycle (depth is small, a scan is cheapest). */
  ancestors: object[];
  frozenJson: boolean;
}

export function secretValuesOf(payload: Record<string, unknown> | undefined | null): string[] {
  if (!payload) return [];
  const values: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'string') values.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(payload);
  return values;
}

const NO_SECRETS: string[] = [];

function collectSecrets(secrets: Iterable<string>): string[] {
  // The common case on the hot path: a lease without secret values.
  if (Array.isArray(secrets) && secrets.length === 0) return NO_SECRETS;
  const unique = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= MIN_SECRET_VALUE_LENGTH) unique.add(secret);
  }
  // Longest first so a secret that contains another is replaced whole.
  return [...unique].sort((a, b) => b.length - a.length);
}

function redactString(value: string, secrets: string[]): string {
  let result = value;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

function redactValue(value: unknown, walk: Walk): unknown {
  if (typeof value === 'string') return walk.secrets.length > 0 ? redactString(value, walk.secrets) : value;
  if (value === null || typeof value !== 'object') return walk.frozenJson ? frozenJsonCopy(value) : value;
  if (walk.ancestors.includes(value)) return '[Circular]';
  if (walk.frozenJson) {
    if (value instanceof Uint8Array) return frozenJsonCopy(value);
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return redactValue(withJson.toJSON(), walk);
  } else if (value instanceof Date || value instanceof Uint8Array) {
    return value;
  }
  walk.ancestors.push(value);
  try {
    return finish(redactContainer(value, walk), walk);
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
  if (value instanceof Map) {
    return Object.fromEntries(
      [...value.entries()].map(([k, v]) => [String(k), isSecretKey(String(k)) ? REDACTED : redactValue(v, walk)]),
    );
  }
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message, walk.secrets), ...redactObject(value as unknown as Record<string, unknown>, walk) };
  }
  return redactObject(value as Record<string, unknown>, walk);
}

const finish = (container: unknown, walk: Walk) => (walk.frozenJson ? Object.freeze(container) : container);

function redactObject(value: Record<string, unknown>, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined) continue;
    const cleaned = isSecretKey(key) && child !== null && child !== '' ? REDACTED : redactValue(child, walk);
    if (cleaned === undefined) continue;
    // An own `__proto__` key is data: define it rather than assign it (which would set the prototype).
    if (key === '__proto__') Object.defineProperty(out, key, { value: cleaned, enumerable: true, writable: true, configurable: true });
    else out[key] = cleaned;
  }
  return out;
}
