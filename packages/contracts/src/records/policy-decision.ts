import { z } from 'zod';
import { JsonObjectSchema, RuntimeClassSchema, SandboxSchema } from './common';

export const PolicyStatusSchema = z.enum(['allowed', 'denied', 'shed']);
export type PolicyStatus = z.infer<typeof PolicyStatusSchema>;

export const ExecutionPolicySchema = z.object({
  runtimeClass: RuntimeClassSchema,
  sandbox: SandboxSchema,
});
export type ExecutionPolicy = z.infer<typeof ExecutionPolicySchema>;

export const AuditContextSchema = z.object({
  actorId: z.string().nullable(),
  tenantId: z.string().nullable(),
  environment: z.string().nullable(),
  traceId: z.string().nullable(),
  connectorId: z.string(),
  capabilityId: z.string(),
  runtimeClass: RuntimeClassSchema,
  credentialRefId: z.string(),
  pressure: JsonObjectSchema.nullable(),
  sandbox: SandboxSchema,
  allowedOperations: z.array(z.string()),
});
export type AuditContext = z.infer<typeof AuditContextSchema>;

export const PolicyDecisionSchema = z.object({
  status: PolicyStatusSchema,
  reasons: z.array(z.string()),
  executionPolicy: ExecutionPolicySchema,
  auditContext: AuditContextSchema,
});
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;

/** Host pressure signal: `shed` sheds the run at admission; anything else is admitted. */
export const PressureSchema = z.object({
  decision: z.enum(['admit', 'backoff', 'shed']),
  reason: z.string().optional(),
});
export type Pressure = z.infer<typeof PressureSchema>;
