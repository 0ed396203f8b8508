import { z } from 'zod';
import { IsoTimestampSchema, NonEmptyString } from './common';
import { SecretEnvelopeSchema } from './auth';

export const VerificationSchemeSchema = z.enum(['github', 'hmac_sha256', 'standard_webhooks', 'stripe', 'notion']);
export type VerificationScheme = z.infer<typeof VerificationSchemeSchema>;

export const RouteVerificationSchema = z
  .object({
    scheme: VerificationSchemeSchema,
    /** Header that carries the signature (schemes with a fixed header ignore it). */
    header: z.string().optional(),
    /** Timestamp tolerance for schemes that sign a timestamp. */
    toleranceSeconds: z.number().int().positive().default(300),
    /** Inline secret, sealed by the platform key ring before it is stored. */
    sealedSecret: SecretEnvelopeSchema.optional(),
    /** Or a secret held by auth: `connectionId` + secret name (default `webhook_secret`). */
    secretRef: z.object({ connectionId: NonEmptyString, secretName: NonEmptyString.default('webhook_secret') }).optional(),
  })
  .refine((v) => (v.sealedSecret === undefined) !== (v.secretRef === undefined), {
    message: 'verification needs exactly one of an inline secret or a secretRef',
  });
export type RouteVerification = z.infer<typeof RouteVerificationSchema>;

export const WebhookRouteSchema = z
  .object({
    routeId: NonEmptyString,
    connectorId: NonEmptyString,
    tenantId: z.string().nullable().default(null),
    connectionId: z.string().nullable().default(null),
    installId: z.string().nullable().default(null),
    triggerId: NonEmptyString,
    capabilityId: NonEmptyString,
    signalType: NonEmptyString,
    signalSource: NonEmptyString,
    topology: z.enum(['dynamic_per_install', 'static_per_app']),
    status: z.enum(['active', 'disabled', 'revoked']).default('active'),
    /** Dot path into the request (e.g. `body.installation.id`) → expected value. */
    tenantResolution: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    deliveryIdHeaders: z.array(z.string().transform((h) => h.toLowerCase())).default([]),
    verification: RouteVerificationSchema.nullable().default(null),
    dedupeTtlSeconds: z.number().int().positive().default(86_400),
    revision: z.number().int().min(1).default(1),
    createdAt: IsoTimestampSchema,
    updatedAt: IsoTimestampSchema,
  })
  .refine((r) => r.topology !== 'dynamic_per_install' || (r.installId !== null && r.tenantId !== null), {
    message: 'dynamic_per_install routes need installId and tenantId',
  });
export type WebhookRoute = z.infer<typeof WebhookRouteSchema>;
