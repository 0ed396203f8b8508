import { z } from 'zod';
import { NonEmptyString, SandboxInputSchema } from './common';
import { PressureSchema } from './policy-decision';

export const reservedExtensionKeys = [
  'capabilityId',
  'connectionId',
  'actorId',
  'tenantId',
  'environment',
  'traceId',
  'allowedOperations',
  'sandbox',
  'targetId',
  'aggregatorId',
  'aggregatorEpoch',
  'idempotencyKey',
  'input',
] as const;

const credentialRefKeys = new Set(['credentialref', 'credentialrefid']);
const isCredentialRefKey = (key: string) => credentialRefKeys.has(key.toLowerCase().replace(/[^a-z]/g, ''));

function findCredentialRef(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (!value || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    if (isCredentialRefKey(key)) return [...path, key];
    const nested = findCredentialRef(child, [...path, key]);
    if (nested) return nested;
  }
  return null;
}

const ExtensionsSchema = z.record(z.string(), z.unknown()).superRefine((extensions, ctx) => {
  for (const key of Object.keys(extensions)) {
    if ((reservedExtensionKeys as readonly string[]).includes(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `extension key "${key}" is reserved` });
    }
  }
  const credentialPath = findCredentialRef(extensions);
  if (credentialPath) {
    ctx.addIssue({
      code: 'custom',
      path: credentialPath,
      message: 'credentialRef is not part of the public invocation contract; bind auth with connectionId',
    });
  }
});

/** The public invoke request. Auth binds through `connectionId` only. */
export const InvocationRequestSchema = z
  .object({
    capabilityId: NonEmptyString,
    input: z.unknown().default({}),
    connectionId: NonEmptyString.optional(),
    actorId: NonEmptyString.optional(),
    tenantId: NonEmptyString.optional(),
    environment: NonEmptyString.optional(),
    traceId: NonEmptyString.optional(),
    targetId: NonEmptyString.optional(),
    allowedOperations: z.array(NonEmptyString).optional(),
    sandbox: SandboxInputSchema.optional(),
    idempotencyKey: z.string().min(1).max(512).optional(),
    aggregatorId: NonEmptyString.optional(),
    aggregatorEpoch: z.number().int().positive().optional(),
    pressure: PressureSchema.optional(),
    timeoutMs: z.number().int().positive().optional(),
    extensions: ExtensionsSchema.default({}),
  })
  .catchall(z.unknown())
  .superRefine((request, ctx) => {
    for (const key of Object.keys(request)) {
      if (isCredentialRefKey(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'credentialRef is not part of the public invocation contract; bind auth with connectionId',
        });
      } else if (!knownRequestKeys.has(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown invocation request field "${key}"` });
      }
    }
  })
  .transform(({ allowedOperations, ...rest }) => ({
    ...rest,
    allowedOperations: allowedOperations ?? [rest.capabilityId],
  }));

const knownRequestKeys = new Set([
  'capabilityId',
  'input',
  'connectionId',
  'actorId',
  'tenantId',
  'environment',
  'traceId',
  'targetId',
  'allowedOperations',
  'sandbox',
  'idempotencyKey',
  'aggregatorId',
  'aggregatorEpoch',
  'pressure',
  'timeoutMs',
  'extensions',
]);

export type InvocationRequest = z.output<typeof InvocationRequestSchema>;
export type InvocationRequestInput = z.input<typeof InvocationRequestSchema>;
export type InvokeOptions = Omit<InvocationRequestInput, 'capabilityId' | 'input'>;
