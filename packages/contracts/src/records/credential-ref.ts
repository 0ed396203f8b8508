import { z } from 'zod';
import { NonEmptyString } from './common';

export const AuthTypeSchema = z.enum(['oauth2', 'api_token', 'session_token', 'none']);
export type AuthType = z.infer<typeof AuthTypeSchema>;

/** The secret-free durable handle to a credential, stored on every run. */
export const CredentialRefSchema = z.object({
  id: NonEmptyString,
  subject: NonEmptyString,
  scopes: z.array(z.string()).default([]),
  authType: AuthTypeSchema,
  connectionId: z.string().nullable().default(null),
  installId: z.string().nullable().default(null),
  connectorId: z.string().nullable().default(null),
  tenantId: z.string().nullable().default(null),
});
export type CredentialRef = z.infer<typeof CredentialRefSchema>;

/** Deeply frozen: records share it as it is. */
export const ANONYMOUS_CREDENTIAL_REF: CredentialRef = Object.freeze({
  id: 'cred_anonymous',
  subject: 'anonymous',
  scopes: Object.freeze([]) as unknown as string[],
  authType: 'none',
  connectionId: null,
  installId: null,
  connectorId: null,
  tenantId: null,
}) as CredentialRef;

/** Short-lived execution material handed to a connector. The only way a secret leaves auth. */
export const LeaseSchema = z.object({
  leaseId: NonEmptyString,
  credentialRefId: NonEmptyString,
  connectionId: z.string().nullable(),
  subject: NonEmptyString,
  scopes: z.array(z.string()),
  payload: z.record(z.string(), z.string()),
  issuedAt: z.string(),
  expiresAt: z.string(),
});
export type Lease = z.infer<typeof LeaseSchema>;
