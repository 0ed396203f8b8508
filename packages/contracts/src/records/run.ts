import { z } from 'zod';
import { ErrorSummarySchema, IsoTimestampSchema, JsonObjectSchema, NonEmptyString, RuntimeClassSchema } from './common';
import { CredentialRefSchema } from './credential-ref';

export const RunStatusSchema = z.enum(['accepted', 'running', 'completed', 'failed', 'denied', 'shed']);
export type RunStatus = z.infer<typeof RunStatusSchema>;
export const terminalRunStatuses: readonly RunStatus[] = ['completed', 'denied', 'shed'];

export const RunSchema = z.object({
  runId: NonEmptyString,
  capabilityId: NonEmptyString,
  connectorId: NonEmptyString,
  runtimeClass: RuntimeClassSchema,
  status: RunStatusSchema,
  input: z.unknown(),
  credentialRef: CredentialRefSchema,
  targetId: z.string().nullable().default(null),
  tenantId: z.string().nullable().default(null),
  actorId: z.string().nullable().default(null),
  traceId: z.string().nullable().default(null),
  idempotencyKey: z.string().nullable().default(null),
  /** The output of the completed attempt. */
  result: z.unknown().default(null),
  /** Why the run failed (a typed error summary). */
  error: ErrorSummarySchema.nullable().default(null),
  /** The admission snapshot of a denied or shed run. */
  policy: JsonObjectSchema.nullable().default(null),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type Run = z.infer<typeof RunSchema>;

export interface RunPatch {
  status: RunStatus;
  result?: unknown;
  error?: Run['error'];
  policy?: Run['policy'];
  updatedAt: string;
}
