import { newId } from '../ids';
import type { JsonObject, RuntimeClass, Trace } from './common';
import type { CredentialRef } from './credential-ref';
import { EVENT_SCHEMA_VERSION, type Event, type EventSpec } from './event';
import type { PayloadRef } from './payload-ref';
import type { Run } from './run';

/** Where events are written: a run, and the attempt when they belong to one. */
export interface EventPosition {
  runId: string;
  attemptId: string | null;
  attempt: number | null;
  targetId: string | null;
  traceId: string | null;
  /** The default `runtimeRefId` of events whose spec names none. */
  runtimeRefId?: string | null;
}

/**
 * What the writer of an event decides: its place in the sequence, its time and trace, and, when it
 * copies or redacts them, the payload and payload ref to store instead of the spec's own.
 */
export interface EventStamp {
  seq: number;
  ts: string;
  trace: Trace;
  /** Default: a new `evt_` id. */
  eventId?: string;
  payload?: JsonObject;
  payloadRef?: PayloadRef | null;
}

/** One ledger event from a spec, at a position: the spec's defaults applied, the schema version set. */
export function eventRecord(position: EventPosition, spec: EventSpec, stamp: EventStamp): Event {
  return {
    eventId: stamp.eventId ?? newId('evt'),
    schemaVersion: EVENT_SCHEMA_VERSION,
    runId: position.runId,
    attemptId: position.attemptId,
    attempt: position.attempt,
    seq: stamp.seq,
    type: spec.type,
    stream: spec.stream ?? 'system',
    level: spec.level ?? 'info',
    payload: stamp.payload ?? spec.payload ?? {},
    payloadRef: stamp.payloadRef !== undefined ? stamp.payloadRef : (spec.payloadRef ?? null),
    trace: stamp.trace,
    targetId: position.targetId,
    sessionId: spec.sessionId ?? null,
    runtimeRefId: spec.runtimeRefId ?? position.runtimeRefId ?? null,
    ts: stamp.ts,
  };
}

/** What a new run is created with; everything else starts empty. */
export interface AcceptedRunFields {
  runId: string;
  capabilityId: string;
  connectorId: string;
  runtimeClass: RuntimeClass;
  credentialRef: CredentialRef;
  /** Creation time (also `updatedAt`). */
  at: string;
  /** The input as shown to people (redacted); null when it is recorded later. */
  input: unknown;
  sealedInput?: Run['sealedInput'];
  targetId?: string | null;
  tenantId?: string | null;
  actorId?: string | null;
  traceId?: string | null;
  idempotencyKey?: string | null;
}

/** A run as it is first stored: `accepted`, no result, error or policy yet. */
export function acceptedRun(fields: AcceptedRunFields): Run {
  return {
    runId: fields.runId,
    capabilityId: fields.capabilityId,
    connectorId: fields.connectorId,
    runtimeClass: fields.runtimeClass,
    status: 'accepted',
    input: fields.input,
    sealedInput: fields.sealedInput ?? null,
    credentialRef: fields.credentialRef,
    targetId: fields.targetId ?? null,
    tenantId: fields.tenantId ?? null,
    actorId: fields.actorId ?? null,
    traceId: fields.traceId ?? null,
    idempotencyKey: fields.idempotencyKey ?? null,
    result: null,
    error: null,
    policy: null,
    createdAt: fields.at,
    updatedAt: fields.at,
  };
}
