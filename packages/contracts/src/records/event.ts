import { z } from 'zod';
import { IsoTimestampSchema, JsonObjectSchema, NonEmptyString, TraceSchema } from './common';
import { PayloadRefSchema, type PayloadRef } from './payload-ref';

export const EventStreamSchema = z.enum(['assistant', 'stdout', 'stderr', 'system', 'control']);
export const EventLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type EventStream = z.infer<typeof EventStreamSchema>;
export type EventLevel = z.infer<typeof EventLevelSchema>;

export const EVENT_SCHEMA_VERSION = '1.0';

/** Append-only ledger event; `seq` counts per (runId, attemptId), run-level events have attemptId null. */
export const EventSchema = z
  .object({
    eventId: NonEmptyString,
    schemaVersion: z.literal(EVENT_SCHEMA_VERSION).default(EVENT_SCHEMA_VERSION),
    runId: NonEmptyString,
    attemptId: z.string().nullable().default(null),
    attempt: z.number().int().min(1).nullable().default(null),
    seq: z.number().int().nonnegative(),
    type: NonEmptyString,
    stream: EventStreamSchema.default('system'),
    level: EventLevelSchema.default('info'),
    payload: JsonObjectSchema.default({}),
    payloadRef: PayloadRefSchema.nullable().default(null),
    trace: TraceSchema.default({ traceId: null, spanId: null, correlationId: null, causationId: null }),
    targetId: z.string().nullable().default(null),
    sessionId: z.string().nullable().default(null),
    runtimeRefId: z.string().nullable().default(null),
    ts: IsoTimestampSchema,
  })
  .refine((e) => (e.attemptId === null) === (e.attempt === null), {
    message: 'attemptId and attempt must both be set or both be null',
    path: ['attemptId'],
  })
  .refine((e) => e.attemptId === null || e.attemptId === `${e.runId}:${e.attempt}`, {
    message: 'attemptId must equal `${runId}:${attempt}`',
    path: ['attemptId'],
  });
export type Event = z.infer<typeof EventSchema>;

/** What a runtime or handler emits; the ledger assigns ids, seqs and timestamps. */
export const EventSpecSchema = z.strictObject({
  type: NonEmptyString,
  stream: EventStreamSchema.default('system'),
  level: EventLevelSchema.default('info'),
  payload: JsonObjectSchema.default({}),
  payloadRef: PayloadRefSchema.nullable().optional(),
  sessionId: z.string().nullable().optional(),
  runtimeRefId: z.string().nullable().optional(),
});
export type EventSpec = Omit<z.input<typeof EventSpecSchema>, 'payloadRef'> & { payloadRef?: PayloadRef | null };

/** The fields that decide whether two events at one position are "the same event". */
export function eventIdentity(event: Event): unknown {
  return {
    runId: event.runId,
    attemptId: event.attemptId,
    seq: event.seq,
    type: event.type,
    stream: event.stream,
    level: event.level,
    payload: event.payload,
    payloadRef: event.payloadRef,
  };
}
