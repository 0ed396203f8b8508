import { canonicalJson, EventSpecSchema, parseAt, redact, ValidationError, type EventSpec, type KnownSecrets } from '@integration/contracts';
import type { DirectRuntimeLimits } from './runtime-options';

/** Event types a handler may not emit: they belong to the runtime and the control plane. */
export const reservedEventPrefixes = ['run.', 'attempt.', 'artifact.', 'audit.'] as const;

/**
 * Validates a handler's event (EventSpecSchema, JSON-serialisable payload within the size limit),
 * rejects reserved types, and returns a copy with the known secret values redacted from the payload.
 */
export function connectorEvent(event: EventSpec, secrets: KnownSecrets, limits?: Pick<DirectRuntimeLimits, 'maxEventPayloadBytes'>): EventSpec {
  const parsed = parseAt(EventSpecSchema, event, 'event');
  const reserved = reservedEventPrefixes.find((prefix) => parsed.type.startsWith(prefix));
  if (reserved) {
    throw new ValidationError('invalid_argument', `event type "${parsed.type}" is reserved for the runtime (prefix "${reserved}")`, {
      details: { type: parsed.type },
    });
  }
  const payload = redact(parsed.payload, { secrets });
  let json: string;
  try {
    json = canonicalJson(payload);
  } catch {
    throw new ValidationError('invalid_argument', `event ${parsed.type}: payload is not JSON-serialisable`, { details: { type: parsed.type } });
  }
  const size = Buffer.byteLength(json);
  if (limits && size > limits.maxEventPayloadBytes) {
    throw new ValidationError('payload_too_large', `event ${parsed.type}: payload is ${size} bytes (limit ${limits.maxEventPayloadBytes})`, {
      details: { type: parsed.type, sizeBytes: size, limit: limits.maxEventPayloadBytes },
    });
  }
  return { ...parsed, payload };
}
