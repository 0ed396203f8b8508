import { z } from 'zod';
import { integrationError, normalizeKey, type SealedCredential, type SecretSealer } from '@integration/contracts';

/** A credential's secret material: string values by name (e.g. `access_token`, `webhook_secret`). */
export const SecretMapSchema = z
  .record(z.string().min(1).max(200), z.string().min(1).max(65_536))
  .refine((value) => Object.keys(value).length > 0, { message: 'must hold at least one secret value' });
export type SecretMap = Record<string, string>;

/** Secret names that never appear in a lease payload, whatever a connector declares. */
export const neverLeasedFields: readonly string[] = ['refresh_token', 'client_secret', 'webhook_secret', 'private_key', 'password'];
const neverLeased = new Set(neverLeasedFields.map(normalizeKey));

export function isLeasable(field: string, triggerSecretNames: readonly string[] = []): boolean {
  const normalized = normalizeKey(field);
  return !neverLeased.has(normalized) && !triggerSecretNames.some((name) => normalizeKey(name) === normalized);
}

/**
 * The lease fields of a credential: the connector's declared lease fields, or every secret key,
 * minus refresh tokens, client secrets, webhook secrets, private keys, passwords and the
 * connector's trigger secrets.
 */
export function leaseFieldsFor(declared: readonly string[], secret: SecretMap, triggerSecretNames: readonly string[]): string[] {
  const candidates = declared.length > 0 ? declared : Object.keys(secret);
  return [...new Set(candidates)].filter((field) => isLeasable(field, triggerSecretNames)).sort();
}

/** The lease payload: only lease fields present in the secret. */
export function leasePayload(secret: SecretMap, fields: readonly string[]): Record<string, string> {
  const payload: Record<string, string> = {};
  for (const field of fields) {
    if (!isLeasable(field)) continue;
    const value = secret[field];
    if (typeof value === 'string') payload[field] = value;
  }
  return payload;
}

const SealedSecretSchema = z.object({ v: z.literal(1), secret: z.record(z.string(), z.string()) });

export function sealSecret(sealer: SecretSealer, credentialId: string, secret: SecretMap): SealedCredential['envelope'] {
  return sealer.seal(credentialId, JSON.stringify({ v: 1, secret }));
}

/** Opens a credential's envelope; a wiped (revoked) credential has no secret. */
export function openSecret(sealer: SecretSealer, credential: SealedCredential): SecretMap {
  if (credential.envelope === null) {
    throw integrationError('connection_revoked', `credential ${credential.credentialId} was revoked and holds no secret`, {
      details: { credentialId: credential.credentialId, connectionId: credential.connectionId },
    });
  }
  const plaintext = sealer.open(credential.credentialId, credential.envelope);
  let decoded: unknown;
  try {
    decoded = JSON.parse(plaintext);
  } catch {
    decoded = null;
  }
  const parsed = SealedSecretSchema.safeParse(decoded);
  if (!parsed.success) {
    throw integrationError('credential_unsealable', `sealed secret of ${credential.credentialId} has an unknown layout`, {
      details: { recordId: credential.credentialId },
    });
  }
  return parsed.data.secret;
}
