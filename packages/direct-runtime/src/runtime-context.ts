import { attemptIdFor, NonEmptyString, parseAt, ValidationError, type RuntimeContext } from '@integration/contracts';
import { z } from 'zod';

const CapabilitySchema = z.looseObject({
  id: NonEmptyString,
  connectorId: NonEmptyString,
  runtimeClass: z.string(),
});

const checkedCapabilities = new WeakSet<object>();

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isText = (value: unknown) => typeof value === 'string' && value.length > 0;
const isNullableText = (value: unknown) => value === undefined || value === null || typeof value === 'string';
const hasMethods = (value: unknown, ...names: string[]) => isObject(value) && names.every((name) => typeof value[name] === 'function');

/**
 * The context checks, written out by hand: this runs once per attempt on the hot path, and a zod
 * parse of the whole context cost more than the rest of the runtime together. Each entry names the
 * field and the rule, so a malformed context still yields a precise `invalid_argument`.
 */
const contextRules: Array<[field: string, ok: (ctx: Record<string, unknown>) => boolean, rule: string]> = [
  ['runId', (c) => isText(c.runId), 'a non-empty string'],
  ['attempt', (c) => Number.isInteger(c.attempt) && (c.attempt as number) > 0, 'a positive integer'],
  ['attemptId', (c) => c.attemptId === attemptIdFor(String(c.runId), Number(c.attempt)), 'equal to `${runId}:${attempt}`'],
  ['lease', (c) => isObject(c.lease) && isText(c.lease.leaseId) && typeof c.lease.subject === 'string' && Array.isArray(c.lease.scopes), 'a lease'],
  ['lease.payload', (c) => isObject((c.lease as Record<string, unknown>).payload) && Object.values((c.lease as { payload: object }).payload).every((v) => typeof v === 'string'), 'a map of strings'],
  ['tenantId', (c) => isNullableText(c.tenantId), 'a string or null'],
  ['actorId', (c) => isNullableText(c.actorId), 'a string or null'],
  ['traceId', (c) => isNullableText(c.traceId), 'a string or null'],
  ['idempotencyKey', (c) => isNullableText(c.idempotencyKey), 'a string or null'],
  [
    'executionPolicy',
    (c) => isObject(c.executionPolicy) && typeof c.executionPolicy.runtimeClass === 'string' && isObject(c.executionPolicy.sandbox) && Array.isArray(c.executionPolicy.sandbox.allowedTools),
    'an execution policy',
  ],
  ['signal', (c) => c.signal instanceof AbortSignal, 'an AbortSignal'],
  ['timeoutMs', (c) => typeof c.timeoutMs === 'number' && c.timeoutMs > 0, 'a positive number'],
  ['logger', (c) => hasMethods(c.logger, 'debug', 'info', 'warn', 'error', 'child'), 'a logger with debug/info/warn/error/child'],
  ['clock', (c) => hasMethods(c.clock, 'now'), 'a clock with now()'],
  ['extensions', (c) => c.extensions === undefined || c.extensions === null || isObject(c.extensions), 'an object'],
];

/**
 * Throws ValidationError `invalid_argument` when the host hands over a malformed capability or
 * context (a host bug, not a handler failure). Returns nothing: the original objects are used as-is.
 */
export function checkExecuteArguments(capability: unknown, context: unknown): asserts context is RuntimeContext {
  // Capabilities are immutable once defined: check each one once.
  if (!isObject(capability) || !checkedCapabilities.has(capability)) {
    parseAt(CapabilitySchema, capability, 'direct runtime capability');
    checkedCapabilities.add(capability as object);
  }
  if (!isObject(context)) throw new ValidationError('invalid_argument', 'direct runtime context: (root): expected an object');
  if (contextRules.every(([, ok]) => ok(context))) return;
  const issues = contextRules.filter(([, ok]) => !ok(context)).map(([field, , rule]) => ({ path: field, message: `must be ${rule}` }));
  throw new ValidationError('invalid_argument', `direct runtime context: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    details: { issues },
  });
}
