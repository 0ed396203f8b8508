import { z } from 'zod';
import { ValidationError, type TriggerDefinition, type TriggerSource, type VerificationScheme } from '@integration/contracts';
import type { VerificationConfig } from './verification/schemes';

/** Extra payload check run after the signal schema; throw (or return a message) to reject. */
export type PayloadValidator = (payload: unknown) => void | string | Promise<void | string>;

/** The evidence an admission runs against. Build it with `definitionFromTrigger` or `defineIngress`. */
export interface IngressDefinition {
  source: TriggerSource;
  connectorId: string;
  triggerId: string;
  capabilityId: string;
  signalType: string;
  signalSource: string;
  /** The trigger's signal schema; the admitted payload is its parsed output. */
  signalSchema: z.ZodType | null;
  validator: PayloadValidator | null;
  verification: VerificationConfig | null;
  /** Lower-cased header holding the provider's delivery id (the dedupe key when present). */
  deliveryIdHeaders: string[];
  dedupeTtlSeconds: number;
}

export const DEFAULT_DEDUPE_TTL_SECONDS = 86_400;

export interface DefinitionOverrides {
  triggerId?: string;
  capabilityId?: string;
  signalType?: string;
  signalSource?: string;
  validator?: PayloadValidator | null;
  /**
   * The signing secret(s) for the trigger's declared verification (the trigger names only the
   * secret). Required when the trigger declares verification, unless `verification` is given.
   */
  secret?: string | string[];
  /** Replace the verification entirely; `null` admits unsigned deliveries (explicit opt-out). */
  verification?: VerificationConfig | null;
  deliveryIdHeaders?: string[];
  dedupeTtlSeconds?: number;
}

const NonEmpty = z.string().min(1);
const DefinitionShape = z.object({
  source: z.enum(['webhook', 'poll']),
  connectorId: NonEmpty,
  triggerId: NonEmpty,
  capabilityId: NonEmpty,
  signalType: NonEmpty,
  signalSource: NonEmpty,
  dedupeTtlSeconds: z.number().int().positive(),
  deliveryIdHeaders: z.array(NonEmpty),
});

function checked(definition: IngressDefinition): IngressDefinition {
  const result = DefinitionShape.safeParse(definition);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const v = definition.verification;
  if (v) {
    if (!Array.isArray(v.secrets) || v.secrets.length === 0 || v.secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
      problems.push('verification needs at least one non-empty secret');
    }
    if (v.toleranceSeconds !== undefined && !(Number.isInteger(v.toleranceSeconds) && v.toleranceSeconds > 0)) {
      problems.push('verification.toleranceSeconds must be a positive integer');
    }
  }
  if (problems.length > 0) {
    throw new ValidationError('invalid_definition', `ingress definition ${definition.triggerId ?? '?'}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return Object.freeze({ ...definition, deliveryIdHeaders: definition.deliveryIdHeaders.map((h) => h.toLowerCase()) });
}

/** A definition written by hand (webhook routes build theirs this way). */
export function defineIngress(
  definition: Omit<IngressDefinition, 'validator' | 'verification' | 'deliveryIdHeaders' | 'dedupeTtlSeconds' | 'signalSchema'> &
    Partial<Pick<IngressDefinition, 'validator' | 'verification' | 'deliveryIdHeaders' | 'dedupeTtlSeconds' | 'signalSchema'>>,
): IngressDefinition {
  return checked({
    validator: null,
    verification: null,
    deliveryIdHeaders: [],
    dedupeTtlSeconds: DEFAULT_DEDUPE_TTL_SECONDS,
    signalSchema: null,
    ...definition,
  });
}

/**
 * Derives the ingress definition of an authored trigger: source from its delivery mode, signal
 * type/source and schema from the trigger, verification scheme from its declaration (the secret
 * comes from `overrides.secret`, since a trigger only names it).
 */
export function definitionFromTrigger(connectorId: string, trigger: TriggerDefinition, overrides: DefinitionOverrides = {}): IngressDefinition {
  let verification: VerificationConfig | null;
  if (overrides.verification !== undefined) verification = overrides.verification;
  else if (trigger.verification) {
    const secrets = overrides.secret === undefined ? [] : Array.isArray(overrides.secret) ? overrides.secret : [overrides.secret];
    if (secrets.length === 0) {
      throw new ValidationError(
        'invalid_definition',
        `trigger ${trigger.id} declares ${trigger.verification.scheme} verification; pass its secret (${trigger.verification.secretName}) as overrides.secret`,
        { details: { triggerId: trigger.id, secretName: trigger.verification.secretName } },
      );
    }
    verification = {
      scheme: trigger.verification.scheme as VerificationScheme,
      secrets,
      ...(trigger.verification.header ? { header: trigger.verification.header } : {}),
      ...(trigger.verification.toleranceSeconds ? { toleranceSeconds: trigger.verification.toleranceSeconds } : {}),
    };
  } else verification = null;
  return checked({
    source: trigger.deliveryMode,
    connectorId,
    triggerId: overrides.triggerId ?? trigger.id,
    capabilityId: overrides.capabilityId ?? trigger.id,
    signalType: overrides.signalType ?? trigger.signalType,
    signalSource: overrides.signalSource ?? trigger.signalSource,
    signalSchema: trigger.signal,
    validator: overrides.validator === undefined ? null : overrides.validator,
    verification,
    deliveryIdHeaders: overrides.deliveryIdHeaders ?? (trigger.deliveryIdHeader ? [trigger.deliveryIdHeader] : []),
    dedupeTtlSeconds: overrides.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS,
  });
}
