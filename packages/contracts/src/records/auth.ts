import { z } from 'zod';
import { IsoTimestampSchema, JsonObjectSchema, NonEmptyString } from './common';
import { isIntegrationError } from '../errors/integration-error';
import { AuthTypeSchema } from './credential-ref';

/** AES-256-GCM sealed bytes; the AAD binds the record id so an envelope cannot be moved. */
export const SecretEnvelopeSchema = z.object({
  alg: z.literal('A256GCM'),
  kid: NonEmptyString,
  iv: NonEmptyString,
  ciphertext: z.string(),
  tag: NonEmptyString,
});
export type SecretEnvelope = z.infer<typeof SecretEnvelopeSchema>;

/** Seals and opens secrets under the platform key ring (implemented by auth). */
export interface SecretSealer {
  seal(recordId: string, plaintext: string): SecretEnvelope;
  open(recordId: string, envelope: SecretEnvelope): string;
  /** True when `envelope` is not sealed under the active key (key rotation re-seals it). Absent: always re-seal. */
  needsRewrap?(envelope: SecretEnvelope): boolean;
}

/**
 * Key rotation of one record: `envelope` opened and sealed again under the sealer's active key, or
 * null when it cannot be opened any more (`credential_unsealable`: its key left the ring).
 */
export function resealEnvelope(sealer: SecretSealer, recordId: string, envelope: SecretEnvelope): SecretEnvelope | null {
  let plaintext: string;
  try {
    plaintext = sealer.open(recordId, envelope);
  } catch (error) {
    if (isIntegrationError(error) && error.code === 'credential_unsealable') return null;
    throw error;
  }
  return sealer.seal(recordId, plaintext);
}

export const InstallStateSchema = z.enum(['installing', 'completed', 'expired', 'cancelled']);
export type InstallState = z.infer<typeof InstallStateSchema>;

export const InstallSchema = z.object({
  installId: NonEmptyString,
  connectionId: NonEmptyString,
  tenantId: NonEmptyString,
  connectorId: NonEmptyString,
  actorId: z.string().nullable().default(null),
  authType: AuthTypeSchema,
  subject: NonEmptyString,
  state: InstallStateSchema,
  /** SHA-256 of the callback token; the token itself is only returned to the caller. */
  callbackTokenHash: NonEmptyString,
  requestedScopes: z.array(z.string()).default([]),
  grantedScopes: z.array(z.string()).default([]),
  /** Install-time secrets (PKCE verifier, OAuth state), sealed. */
  sealedState: SecretEnvelopeSchema.nullable().default(null),
  expiresAt: IsoTimestampSchema,
  completedAt: IsoTimestampSchema.nullable().default(null),
  metadata: JsonObjectSchema.default({}),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type Install = z.infer<typeof InstallSchema>;

export const ConnectionStateSchema = z.enum(['installing', 'connected', 'degraded', 'reauth_required', 'revoked', 'disabled']);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

/** Durable and secret-free. */
export const ConnectionSchema = z.object({
  connectionId: NonEmptyString,
  tenantId: NonEmptyString,
  connectorId: NonEmptyString,
  authType: AuthTypeSchema,
  subject: NonEmptyString,
  state: ConnectionStateSchema,
  credentialRefId: z.string().nullable().default(null),
  installId: z.string().nullable().default(null),
  requestedScopes: z.array(z.string()).default([]),
  grantedScopes: z.array(z.string()).default([]),
  leaseFields: z.array(z.string()).default([]),
  tokenExpiresAt: IsoTimestampSchema.nullable().default(null),
  lastRotatedAt: IsoTimestampSchema.nullable().default(null),
  lastRefreshedAt: IsoTimestampSchema.nullable().default(null),
  revokedAt: IsoTimestampSchema.nullable().default(null),
  revocationReason: z.string().nullable().default(null),
  stateReason: z.string().nullable().default(null),
  actorId: z.string().nullable().default(null),
  metadata: JsonObjectSchema.default({}),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type Connection = z.infer<typeof ConnectionSchema>;

/** A credential row: metadata in the clear, every secret value inside the sealed envelope. */
export const SealedCredentialSchema = z.object({
  credentialId: NonEmptyString,
  connectionId: NonEmptyString,
  subject: NonEmptyString,
  authType: AuthTypeSchema,
  scopes: z.array(z.string()).default([]),
  leaseFields: z.array(z.string()).default([]),
  /** Increments on every rotation and refresh; leases are bound to the version they came from. */
  version: z.number().int().min(1),
  envelope: SecretEnvelopeSchema.nullable(),
  expiresAt: IsoTimestampSchema.nullable().default(null),
  revokedAt: IsoTimestampSchema.nullable().default(null),
  metadata: JsonObjectSchema.default({}),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type SealedCredential = z.infer<typeof SealedCredentialSchema>;

/** Durable lease metadata: names of the payload keys, never their values. */
export const LeaseRecordSchema = z.object({
  leaseId: NonEmptyString,
  credentialRefId: NonEmptyString,
  credentialVersion: z.number().int().min(1),
  connectionId: NonEmptyString,
  subject: NonEmptyString,
  scopes: z.array(z.string()),
  payloadKeys: z.array(z.string()),
  actorId: z.string().nullable().default(null),
  issuedAt: IsoTimestampSchema,
  expiresAt: IsoTimestampSchema,
  revokedAt: IsoTimestampSchema.nullable().default(null),
  metadata: JsonObjectSchema.default({}),
});
export type LeaseRecord = z.infer<typeof LeaseRecordSchema>;
