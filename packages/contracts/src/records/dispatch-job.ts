import { z } from 'zod';
import { ErrorSummarySchema, IsoTimestampSchema, JsonObjectSchema, NonEmptyString } from './common';

export const DispatchStatusSchema = z.enum(['queued', 'running', 'retry_scheduled', 'completed', 'dead_lettered']);
export type DispatchStatus = z.infer<typeof DispatchStatusSchema>;

export const DispatchErrorSchema = ErrorSummarySchema.extend({
  stage: z.enum(['bind', 'execution', 'recovery']),
  recordedAt: IsoTimestampSchema,
});
export type DispatchError = z.infer<typeof DispatchErrorSchema>;

/** One durable delivery of an admitted trigger's run. */
export const DispatchJobSchema = z.object({
  /** Deterministic from the dedupe scope, so enqueue is idempotent. */
  dispatchId: NonEmptyString,
  runId: NonEmptyString,
  admissionId: z.string().nullable().default(null),
  tenantId: NonEmptyString,
  connectorId: NonEmptyString,
  triggerId: NonEmptyString,
  capabilityId: NonEmptyString,
  status: DispatchStatusSchema,
  /** Deliveries started so far (ledger attempt numbers are assigned by executeRun). */
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  availableAt: IsoTimestampSchema,
  lockedBy: z.string().nullable().default(null),
  lockedUntil: IsoTimestampSchema.nullable().default(null),
  lastError: DispatchErrorSchema.nullable().default(null),
  /** Options for executeRun (actorId, environment, allowedOperations, sandbox, …). */
  executeOptions: JsonObjectSchema.default({}),
  completedAt: IsoTimestampSchema.nullable().default(null),
  deadLetteredAt: IsoTimestampSchema.nullable().default(null),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type DispatchJob = z.infer<typeof DispatchJobSchema>;

export interface DispatchFilter {
  status?: DispatchStatus | DispatchStatus[];
  connectorId?: string;
  triggerId?: string;
  runId?: string;
  errorCode?: string;
  /** Inclusive ISO bounds on `updatedAt`. */
  from?: string;
  to?: string;
  limit?: number;
}

export interface ClaimRequest {
  /**
   * The lease owner the claimed jobs are locked by (`lockedBy`); heartbeat and settle are fenced on
   * it. The dispatch worker passes a fresh owner per claim call (`<workerId>#…`), so a delivery
   * whose claim's lease expired cannot settle a job its own worker has since claimed again.
   */
  leaseOwner: string;
  limit: number;
  /** How long the claim holds; a lease not renewed by heartbeat makes the job claimable again. */
  leaseMs: number;
  now: number;
}

export type DispatchSettlement =
  | { status: 'completed'; at: number }
  | { status: 'retry_scheduled'; availableAt: number; error: DispatchError; at: number }
  | { status: 'dead_lettered'; error: DispatchError; at: number }
  /** Give the job back untouched (graceful shutdown before it started). */
  | { status: 'released'; availableAt: number; at: number; undoAttempt: boolean };
