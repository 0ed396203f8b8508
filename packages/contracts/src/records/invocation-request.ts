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

const credentialRefMessage = 'credentialRef is not part of the public invocation contract; bind auth with connectionId';

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
      message: credentialRefMessage,
    });
  }
});

/** The public invoke request. Auth binds through `connectionId` only; unknown fields are refused. */
export const InvocationRequestSchema = z
  .strictObject(
    {
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
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' && issue.keys.some(isCredentialRefKey)
          ? credentialRefMessage
          : issue.code === 'unrecognized_keys'
            ? `unknown invocation request field(s): ${issue.keys.join(', ')}`
            : undefined,
    },
  )
  // The parsed object is zod's own fresh copy: completing it in place saves a copy per invoke.
  .transform((request) => Object.assign(request, { allowedOperations: request.allowedOperations ?? [request.capabilityId] }));

export type InvocationRequest = z.output<typeof InvocationRequestSchema>;
export type InvocationRequestInput = z.input<typeof InvocationRequestSchema>;
export type InvokeOptions = Omit<InvocationRequestInput, 'capabilityId' | 'input'>;
