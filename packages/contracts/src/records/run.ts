import { z } from 'zod';
import { ErrorSummarySchema, IsoTimestampSchema, JsonObjectSchema, NonEmptyString, RuntimeClassSchema } from './common';
import { CredentialRefSchema } from './credential-ref';
import { SecretEnvelopeSchema } from './auth';

export const RunStatusSchema = z.enum(['accepted', 'running', 'completed', 'failed', 'denied', 'shed']);
export type RunStatus = z.infer<typeof RunStatusSchema>;
export const terminalRunStatuses: readonly RunStatus[] = ['completed', 'denied', 'shed'];

export const RunSchema = z.object({
  runId: NonEmptyString,
  capabilityId: NonEmptyString,
  connectorId: NonEmptyString,
  runtimeClass: RuntimeClassSchema,
  status: RunStatusSchema,
  /** The input as shown to people: known secret values and declared-secret fields redacted. */
  input: z.unknown(),
  /**
   * The exact input, sealed under the key ring, when it differs from `input` (it held secrets).
   * Re-execution (retries, webhook deliveries, replay) runs on this; null when `input` is exact.
   */
  sealedInput: SecretEnvelopeSchema.nullable().default(null),
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
  status?: RunStatus;
  result?: unknown;
  error?: Run['error'];
  policy?: Run['policy'];
  /** Key rotation re-seals the exact input under the active key. */
  sealedInput?: Run['sealedInput'];
  /** Absent: unchanged (a key-rotation re-seal is not a change of the run). */
  updatedAt?: string;
}
