import { z } from 'zod';
import { canonicalJson, VerificationSchemeSchema, type WebhookRoute } from '@integration/contracts';

const NonEmpty = z.string().min(1);

/** Verification as registered: an inline secret (sealed before storage) or a secret held by auth. */
export const RouteVerificationInputSchema = z
  .object({
    scheme: VerificationSchemeSchema,
    header: z.string().min(1).optional(),
    toleranceSeconds: z.number().int().positive().optional(),
    secret: NonEmpty.optional(),
    secretRef: z.object({ connectionId: NonEmpty, secretName: NonEmpty.default('webhook_secret') }).optional(),
  })
  .refine((v) => (v.secret === undefined) !== (v.secretRef === undefined), {
    message: 'verification needs exactly one of secret or secretRef',
  });

export const RouteInputSchema = z
  .object({
    routeId: NonEmpty.optional(),
    connectorId: NonEmpty,
    tenantId: NonEmpty.nullish(),
    connectionId: NonEmpty.nullish(),
    installId: NonEmpty.nullish(),
    triggerId: NonEmpty,
    capabilityId: NonEmpty.optional(),
    signalType: NonEmpty.optional(),
    signalSource: NonEmpty.optional(),
    topology: z.enum(['dynamic_per_install', 'static_per_app']),
    status: z.enum(['active', 'disabled', 'revoked']).optional(),
    tenantResolution: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
    deliveryIdHeaders: z.array(NonEmpty).optional(),
    verification: RouteVerificationInputSchema.nullish(),
    dedupeTtlSeconds: z.number().int().positive().optional(),
  })
  .refine((r) => r.topology !== 'dynamic_per_install' || (!!r.installId && !!r.tenantId), {
    message: 'dynamic_per_install routes need installId and tenantId',
  });

export type RouteInput = z.input<typeof RouteInputSchema>;

/** The upsert identity: one dynamic route per install; static routes by their full scope. */
export function identityKey(route: Pick<WebhookRoute, 'topology' | 'connectorId' | 'tenantId' | 'connectionId' | 'installId' | 'triggerId' | 'tenantResolution'>): string {
  if (route.topology === 'dynamic_per_install') return canonicalJson(['dynamic_per_install', route.installId]);
  return canonicalJson([
    'static_per_app',
    route.connectorId,
    route.tenantId ?? null,
    route.connectionId ?? null,
    route.installId ?? null,
    route.triggerId,
    route.tenantResolution ?? {},
  ]);
}
