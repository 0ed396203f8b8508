import { z } from 'zod';
import { ErrorSummarySchema, IsoTimestampSchema, NonEmptyString, RuntimeClassSchema } from './common';

/**
 * `lost`: the attempt's executor vanished (a worker killed mid-delivery, its lease expired) and a
 * newer attempt superseded it; closed in the same transaction that started the newer one.
 */
export const AttemptStatusSchema = z.enum(['accepted', 'running', 'completed', 'failed', 'lost']);
export type AttemptStatus = z.infer<typeof AttemptStatusSchema>;

export const DEFAULT_AGGREGATOR_ID = 'control_plane';

export const AttemptSchema = z
  .object({
    attemptId: NonEmptyString,
    runId: NonEmptyString,
    attempt: z.number().int().min(1),
    status: AttemptStatusSchema,
    runtimeClass: RuntimeClassSchema,
    aggregatorId: NonEmptyString.default(DEFAULT_AGGREGATOR_ID),
    aggregatorEpoch: z.number().int().min(1).default(1),
    credentialLeaseId: z.string().nullable().default(null),
    targetId: z.string().nullable().default(null),
    runtimeRefId: z.string().nullable().default(null),
    output: z.unknown().default(null),
    error: ErrorSummarySchema.nullable().default(null),
    createdAt: IsoTimestampSchema,
    updatedAt: IsoTimestampSchema,
  })
  .refine((a) => a.attemptId === `${a.runId}:${a.attempt}`, {
    message: 'attemptId must equal `${runId}:${attempt}`',
    path: ['attemptId'],
  });
export type Attempt = z.infer<typeof AttemptSchema>;

export interface AttemptPatch {
  status: AttemptStatus;
  output?: unknown;
  error?: Attempt['error'];
  runtimeRefId?: string | null;
  updatedAt: string;
}

/** Writes to an attempt are fenced by the aggregator that owns it. */
export interface AggregatorFence {
  aggregatorId: string;
  aggregatorEpoch: number;
}
