import { z } from 'zod';
import { NonEmptyString } from './common';

export const ChecksumSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'checksum must be sha256:<64 lowercase hex>');

const localStores = new Set(['file', 'filesystem', 'local', 'local_file', 'fs', 'disk']);

/** Where an artifact's bytes live. Never a local path: records must be portable between hosts. */
export const PayloadRefSchema = z
  .object({
    store: NonEmptyString,
    key: NonEmptyString,
    ttlS: z.number().int().positive().default(3600),
    accessControl: z.enum(['run_scoped', 'tenant_scoped', 'public_read']).default('run_scoped'),
    checksum: ChecksumSchema,
    sizeBytes: z.number().int().nonnegative(),
  })
  .superRefine((ref, ctx) => {
    if (localStores.has(ref.store.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['store'], message: `payload ref store "${ref.store}" is a local file store` });
    }
    if (/^(\/|~\/|\.{1,2}\/|[a-zA-Z]:[\\/]|file:)/.test(ref.key) || ref.key.includes('\\')) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'payload ref key looks like a local file path' });
    }
  });
export type PayloadRef = z.infer<typeof PayloadRefSchema>;
