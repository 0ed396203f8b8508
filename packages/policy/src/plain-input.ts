import { RuntimeClassSchema } from '@integration/contracts';
import type { z } from 'zod';
import type { PolicyCredentialSchema, PolicyRequestSchema } from './input';

/**
 * Hand-written checks for the shapes a host passes on every invoke (plain strings, no sandbox or
 * pressure overrides), answering what the zod schemas would after `subjectOf`. Anything else —
 * including every invalid input — returns null and goes through the schemas, which own the
 * errors. Two zod parses per evaluation were most of the policy's cost on the invoke path; a
 * property test holds these to the schemas.
 */

type ParsedCredential = z.output<typeof PolicyCredentialSchema>;
type ParsedRequest = z.output<typeof PolicyRequestSchema>;

const NOT_PLAIN = Symbol('not plain');

/** OptionalText: absent, null or blank is null; another string is itself. */
function optionalText(value: unknown): string | null | typeof NOT_PLAIN {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return NOT_PLAIN;
  return value.trim() === '' ? null : value;
}

function isStrings(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  // An index loop, not every(): a hole is not a string (every() would skip it).
  for (let i = 0; i < value.length; i += 1) if (typeof value[i] !== 'string') return false;
  return true;
}
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function plainCredential(raw: unknown): ParsedCredential | null {
  if (!isRecord(raw)) return null;
  const tenantId = optionalText(raw.tenantId);
  if (typeof raw.refId !== 'string' || raw.refId.length === 0 || tenantId === NOT_PLAIN || !isStrings(raw.scopes)) return null;
  return { refId: raw.refId, tenantId, scopes: [...raw.scopes] };
}

export function plainRequest(raw: unknown): ParsedRequest | null {
  if (!isRecord(raw)) return null;
  if ((raw.sandbox !== undefined && raw.sandbox !== null) || (raw.pressure !== undefined && raw.pressure !== null)) return null;
  const actorId = optionalText(raw.actorId);
  const tenantId = optionalText(raw.tenantId);
  const environment = optionalText(raw.environment);
  const traceId = optionalText(raw.traceId);
  if (actorId === NOT_PLAIN || tenantId === NOT_PLAIN || environment === NOT_PLAIN || traceId === NOT_PLAIN) return null;
  if (!isStrings(raw.allowedOperations)) return null;
  const runtimeClass = raw.runtimeClass ?? null;
  if (runtimeClass !== null && !RuntimeClassSchema.options.includes(runtimeClass as never)) return null;
  return {
    actorId,
    tenantId,
    environment,
    traceId,
    allowedOperations: [...raw.allowedOperations],
    runtimeClass: runtimeClass as ParsedRequest['runtimeClass'],
    sandbox: null,
    pressure: null,
  };
}
