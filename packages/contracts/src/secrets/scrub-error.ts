import { ConnectorError } from '../errors/connector-error';
import { IntegrationError, integrationError } from '../errors/integration-error';
import type { KnownSecrets } from './known-secrets';
import { redact } from './redact';

const MAX_CHAIN = 16;

/** Own properties that are not plain data to redact (handled on their own, or part of the class). */
const handledKeys = new Set(['message', 'stack', 'cause', 'errors', 'details', 'upstream', 'run', 'attempt', 'policyDecision']);

function define(target: object, key: string, value: unknown): boolean {
  try {
    const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable ?? false;
    Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
    return true;
  } catch {
    return false;
  }
}

/**
 * Scrubs every known secret out of a thrown value and its whole chain: message, stack, details,
 * other own properties (an SDK error's request and headers), `cause` and `AggregateError.errors`,
 * at any depth. Errors are scrubbed in place (class, code and identity survive); one that cannot be
 * changed (frozen) is replaced by a copy. Returns what the caller should throw.
 */
export function scrubError<T>(thrown: T, secrets: KnownSecrets): T {
  if (secrets.isEmpty) return thrown;
  return scrub(thrown, secrets, new Map(), 0) as T;
}

function scrub(value: unknown, secrets: KnownSecrets, seen: Map<object, unknown>, depth: number): unknown {
  if (!(value instanceof Error)) return redact(value, { secrets });
  const done = seen.get(value);
  if (done !== undefined) return done;
  seen.set(value, value);
  if (depth > MAX_CHAIN) return new Error('[error chain truncated]');

  const changes: Array<[string, unknown]> = [];
  const note = (key: string, before: unknown, after: unknown) => {
    if (after !== before) changes.push([key, after]);
  };
  note('message', value.message, secrets.redactText(value.message));
  if (typeof value.stack === 'string') note('stack', value.stack, secrets.redactText(value.stack));
  if (value instanceof IntegrationError) {
    const details = redact(value.details, { secrets });
    if (JSON.stringify(details) !== JSON.stringify(value.details)) {
      changes.push(['details', details]);
      if (value instanceof ConnectorError) changes.push(['upstream', (details as { upstream?: unknown }).upstream ?? {}]);
    }
  }
  for (const key of Object.keys(value)) {
    if (handledKeys.has(key)) continue;
    const before = (value as unknown as Record<string, unknown>)[key];
    note(key, before, typeof before === 'string' ? secrets.redactText(before) : redactedIfChanged(before, secrets));
  }
  const cause = (value as { cause?: unknown }).cause;
  if (cause !== undefined) note('cause', cause, scrub(cause, secrets, seen, depth + 1));
  const errors = (value as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    const scrubbed = errors.map((item) => scrub(item, secrets, seen, depth + 1));
    if (scrubbed.some((item, index) => item !== errors[index])) changes.push(['errors', scrubbed]);
  }
  if (changes.length === 0) return value;
  if (changes.every(([key, next]) => define(value, key, next))) return value;
  const copy = rebuilt(value, Object.fromEntries(changes));
  seen.set(value, copy);
  return copy;
}

/** A redacted copy of a property value, or the value itself when it holds no known secret. */
function redactedIfChanged(value: unknown, secrets: KnownSecrets): unknown {
  if (value === null || typeof value !== 'object') return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text !== undefined && !secrets.occursIn(text)) return value;
  return redact(value, { secrets });
}

/** A frozen error could not be scrubbed in place: the same facts, scrubbed, in a new error. */
function rebuilt(original: Error, changes: Record<string, unknown>): Error {
  const pick = <K extends string>(key: K, fallback: unknown) => (key in changes ? changes[key] : fallback);
  const message = pick('message', original.message) as string;
  const cause = pick('cause', (original as { cause?: unknown }).cause);
  let copy: Error;
  if (original instanceof ConnectorError) {
    const details = pick('details', original.details) as Record<string, unknown>;
    copy = new ConnectorError({
      class: original.errorClass,
      message,
      retryable: original.retryable,
      upstream: (details.upstream ?? {}) as Record<string, unknown>,
      ...(typeof details.providerCode === 'string' ? { providerCode: details.providerCode } : {}),
      ...(original.retryAfterMs === undefined ? {} : { retryAfterMs: original.retryAfterMs }),
      ...(cause === undefined ? {} : { cause }),
    });
  } else if (original instanceof IntegrationError) {
    copy = integrationError(original.code, message, {
      details: pick('details', original.details) as Record<string, unknown>,
      retryable: original.retryable,
      ...(original.retryAfterMs === undefined ? {} : { retryAfterMs: original.retryAfterMs }),
      ...(cause === undefined ? {} : { cause }),
      ...(original.run ? { run: original.run } : {}),
      ...(original.attempt ? { attempt: original.attempt } : {}),
      ...(original.policyDecision ? { policyDecision: original.policyDecision } : {}),
    });
  } else {
    copy = new Error(message, cause === undefined ? undefined : { cause });
    copy.name = original.name;
    for (const key of Object.keys(original)) if (!handledKeys.has(key)) define(copy, key, pick(key, (original as unknown as Record<string, unknown>)[key]));
    const errors = pick('errors', (original as { errors?: unknown }).errors);
    if (errors !== undefined) define(copy, 'errors', errors);
  }
  define(copy, 'stack', pick('stack', original.stack));
  return copy;
}
