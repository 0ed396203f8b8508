import { IntegrationError, ValidationError, type Capability } from '@integration/contracts';
import type { IngressDefinition } from './definition';
import { asIntegrationError } from './rejection';
import { verifySignature } from './verification/schemes';

/** What ingress needs from the control plane: the capability behind a trigger. */
export interface CapabilityResolver {
  fetchCapability(capabilityId: string): Capability | Promise<Capability>;
}

export const invalidTrigger = (message: string, details: Record<string, unknown> = {}) => new ValidationError('invalid_trigger', message, { details });

/** Throws `signature_invalid` unless the raw body carries a valid signature (when the definition asks for one). */
export function checkSignature(definition: IngressDefinition, headers: Record<string, string>, rawBody: Uint8Array | string, now: number): void {
  if (!definition.verification) return;
  const outcome = verifySignature(definition.verification, { headers, rawBody, now });
  if (!outcome.ok) {
    throw new IntegrationError('signature_invalid', `webhook signature rejected (${outcome.reason})`, {
      details: { reason: outcome.reason, scheme: definition.verification.scheme },
    });
  }
}

export function parseJsonBody(rawBody: Uint8Array | string): unknown {
  const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidTrigger('webhook body is not valid JSON');
  }
}

/** The payload as the signal schema parses it, then accepted by the definition's validator. */
export async function validatePayload(definition: IngressDefinition, payload: unknown): Promise<unknown> {
  let value = payload;
  if (definition.signalSchema) {
    const parsed = definition.signalSchema.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
      throw invalidTrigger(`payload does not match the signal schema of ${definition.triggerId}`, { issues });
    }
    value = parsed.data;
  }
  if (definition.validator) {
    let verdict: void | string;
    try {
      verdict = await definition.validator(value);
    } catch (error) {
      throw asIntegrationError(error, 'invalid_trigger', 'payload validator rejected the delivery');
    }
    if (typeof verdict === 'string') throw invalidTrigger(verdict);
  }
  return value;
}

/** The trigger capability a definition admits runs of. */
export async function resolveTriggerCapability(capabilities: CapabilityResolver, definition: IngressDefinition): Promise<Capability> {
  let capability: Capability;
  try {
    capability = await capabilities.fetchCapability(definition.capabilityId);
  } catch (error) {
    throw asIntegrationError(error, 'unknown_capability', `capability ${definition.capabilityId} could not be resolved`);
  }
  if (!capability || capability.kind !== 'trigger') {
    throw new ValidationError('invalid_trigger', `capability ${definition.capabilityId} is not a trigger`);
  }
  return capability;
}
