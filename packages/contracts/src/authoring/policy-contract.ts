import { z } from 'zod';
import { RuntimeClassSchema, SandboxInputSchema, SandboxSchema } from '../records/common';

/** A capability's authored admission contract. */
export const PolicyContractSchema = z.strictObject({
  actor: z.strictObject({ required: z.boolean().default(false), allowedIds: z.array(z.string()).default([]) }).default({ required: false, allowedIds: [] }),
  tenant: z.strictObject({ required: z.boolean().default(false), allowedIds: z.array(z.string()).default([]) }).default({ required: false, allowedIds: [] }),
  environment: z.strictObject({ allowed: z.array(z.string()).default([]) }).default({ allowed: [] }),
  runtime: z.strictObject({ allowed: z.array(RuntimeClassSchema).optional() }).default({}),
  /** Operations this capability may be dispatched as; defaults to its own id. */
  allowedOperations: z.array(z.string()).optional(),
  sandbox: SandboxInputSchema.default({}),
});
export type PolicyContractInput = z.input<typeof PolicyContractSchema>;

export interface PolicyContract {
  actor: { required: boolean; allowedIds: string[] };
  tenant: { required: boolean; allowedIds: string[] };
  environment: { allowed: string[] };
  runtime: { allowed: z.infer<typeof RuntimeClassSchema>[] };
  allowedOperations: string[];
  sandbox: z.infer<typeof SandboxSchema>;
}
