import { z } from 'zod';
import { ConnectionStateSchema, InstallStateSchema, IsoTimestampSchema, JsonObjectSchema } from '@integration/contracts';
import { SecretMapSchema } from './secrets';

const Id = z.string().min(1).max(512);
const Scopes = z.array(z.string().min(1).max(512)).max(500);
const ActorId = z.string().min(1).max(512).nullable().optional();

export const IdSchema = Id;

export const StartInstallInputSchema = z.strictObject({
  /** Who the connection belongs to at the provider (checked again on completion). */
  subject: Id,
  actorId: ActorId,
  requestedScopes: Scopes.optional(),
  /** Re-install an existing connection instead of creating one. */
  connectionId: Id.optional(),
  metadata: JsonObjectSchema.optional(),
  ttlSeconds: z.number().int().positive().max(86_400 * 7).optional(),
  /** `oauth` (authorization code + PKCE) or `secret` (API token); chosen from the connector by default. */
  method: z.enum(['oauth', 'secret']).optional(),
});
export type StartInstallInput = z.input<typeof StartInstallInputSchema>;

export const CompleteInstallInputSchema = z.strictObject({
  callbackToken: z.string().min(1).max(1024),
  subject: Id,
  actorId: ActorId,
  /** OAuth installs: the `code` and `state` from the redirect. */
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(1024).optional(),
  /** Secret installs: the secret material; OAuth installs: extra secrets (e.g. `webhook_secret`). */
  secret: SecretMapSchema.optional(),
  grantedScopes: Scopes.optional(),
  expiresAt: IsoTimestampSchema.nullable().optional(),
});
export type CompleteInstallInput = z.input<typeof CompleteInstallInputSchema>;

export const CancelInstallInputSchema = z.strictObject({
  actorId: ActorId,
  reason: z.string().min(1).max(1024).optional(),
});
export type CancelInstallInput = z.input<typeof CancelInstallInputSchema>;

export const LeaseRequestSchema = z.strictObject({
  requiredScopes: Scopes.default([]),
  actorId: ActorId,
  /** The run the lease is for (kept on the lease record for audit). */
  runId: Id.nullable().optional(),
  ttlSeconds: z.number().int().positive().max(86_400).optional(),
});
export type LeaseRequest = z.input<typeof LeaseRequestSchema>;

export const RotateInputSchema = z.strictObject({
  secret: SecretMapSchema,
  expiresAt: IsoTimestampSchema.nullable().optional(),
  scopes: Scopes.optional(),
  actorId: ActorId,
});
export type RotateInput = z.input<typeof RotateInputSchema>;

export const RevokeInputSchema = z.strictObject({
  reason: z.string().min(1).max(1024),
  actorId: ActorId,
});
export type RevokeInput = z.input<typeof RevokeInputSchema>;

export const InstallFilterSchema = z.strictObject({
  tenantId: Id.optional(),
  connectorId: Id.optional(),
  connectionId: Id.optional(),
  state: InstallStateSchema.optional(),
});
export const ConnectionFilterSchema = z.strictObject({
  tenantId: Id.optional(),
  connectorId: Id.optional(),
  state: ConnectionStateSchema.optional(),
});
