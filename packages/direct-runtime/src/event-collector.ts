import { EventSpecSchema, parseAt, redact, ValidationError, type EventSpec } from '@integration/contracts';

/** Event types a handler may not emit: they belong to the runtime and the control plane. */
export const reservedEventPrefixes = ['run.', 'attempt.', 'artifact.', 'audit.'] as const;

/** Validates a handler's event (EventSpecSchema), rejects reserved types, redacts its payload. */
export function connectorEvent(event: EventSpec, secrets: readonly string[]): EventSpec {
  const parsed = parseAt(EventSpecSchema, event, 'event');
  const reserved = reservedEventPrefixes.find((prefix) => parsed.type.startsWith(prefix));
  if (reserved) {
    throw new ValidationError('invalid_argument', `event type "${parsed.type}" is reserved for the runtime (prefix "${reserved}")`, {
      details: { type: parsed.type },
    });
  }
  return { ...parsed, payload: redact(parsed.payload, { secrets }) };
}
