import { z } from 'zod';
import { ErrorSummarySchema, IsoTimestampSchema, JsonObjectSchema, NonEmptyString } from './common';

export const TriggerSourceSchema = z.enum(['webhook', 'poll']);
export type TriggerSource = z.infer<typeof TriggerSourceSchema>;

/** CloudEvents 1.0 shaped signal carried by every admitted trigger. */
export const SignalSchema = z.object({
  specversion: z.literal('1.0'),
  id: NonEmptyString,
  type: NonEmptyString,
  source: NonEmptyString,
  subject: z.string().optional(),
  time: IsoTimestampSchema,
  datacontenttype: z.string().default('application/json'),
  data: z.unknown(),
  tenantid: z.string(),
  connectorid: z.string(),
  triggerid: z.string(),
  dedupekey: z.string(),
  partitionkey: z.string().optional(),
  externalid: z.string().optional(),
});
export type Signal = z.infer<typeof SignalSchema>;

export const TriggerRecordSchema = z.object({
  admissionId: NonEmptyString,
  source: TriggerSourceSchema,
  connectorId: NonEmptyString,
  triggerId: NonEmptyString,
  capabilityId: NonEmptyString,
  tenantId: NonEmptyString,
  externalId: z.string().nullable().default(null),
  dedupeKey: NonEmptyString,
  partitionKey: z.string().nullable().default(null),
  payload: z.unknown().default({}),
  signal: SignalSchema.nullable().default(null),
  status: z.enum(['accepted', 'rejected']),
  runId: z.string().nullable().default(null),
  rejectionReason: ErrorSummarySchema.nullable().default(null),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type TriggerRecord = z.infer<typeof TriggerRecordSchema>;

/** The dedupe scope of a trigger: one admission per key until the reservation expires. */
export interface DedupeScope {
  tenantId: string;
  connectorId: string;
  triggerId: string;
  dedupeKey: string;
}

export const TriggerCheckpointSchema = z.object({
  tenantId: NonEmptyString,
  connectorId: NonEmptyString,
  triggerId: NonEmptyString,
  partitionKey: NonEmptyString,
  cursor: z.string(),
  lastEventId: z.string().nullable().default(null),
  lastEventTime: z.string().nullable().default(null),
  revision: z.number().int().min(1).default(1),
  metadata: JsonObjectSchema.default({}),
  updatedAt: IsoTimestampSchema,
});
export type TriggerCheckpoint = z.infer<typeof TriggerCheckpointSchema>;

export interface CheckpointKey {
  tenantId: string;
  connectorId: string;
  triggerId: string;
  partitionKey: string;
}
