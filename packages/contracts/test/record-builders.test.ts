import { describe, expect, it } from 'vitest';
import {
  acceptedRun,
  ANONYMOUS_CREDENTIAL_REF,
  EVENT_SCHEMA_VERSION,
  EventSchema,
  eventRecord,
  isoAt,
  RunSchema,
  traceOf,
  type EventPosition,
} from '../src/index';

const at = isoAt(Date.UTC(2026, 0, 2, 3, 4, 5));

describe('record builders', () => {
  const position: EventPosition = { runId: 'run_1', attemptId: 'run_1:2', attempt: 2, targetId: 'tgt', traceId: 'trace-1', runtimeRefId: 'sess_1' };

  it('eventRecord applies the spec defaults and the schema version, and is a valid Event', () => {
    const event = eventRecord(position, { type: 'tool.called' }, { seq: 3, ts: at, trace: traceOf(position.traceId) });
    expect(event).toEqual({
      eventId: expect.stringMatching(/^evt_/),
      schemaVersion: EVENT_SCHEMA_VERSION,
      runId: 'run_1',
      attemptId: 'run_1:2',
      attempt: 2,
      seq: 3,
      type: 'tool.called',
      stream: 'system',
      level: 'info',
      payload: {},
      payloadRef: null,
      trace: { traceId: 'trace-1', spanId: null, correlationId: null, causationId: null },
      targetId: 'tgt',
      sessionId: null,
      runtimeRefId: 'sess_1',
      ts: at,
    });
    expect(EventSchema.parse(event)).toEqual(event);
  });

  it("the stamp's id, payload and payload ref replace the spec's; the spec's runtime ref wins over the position's", () => {
    const spec = { type: 'x', stream: 'control' as const, level: 'warn' as const, payload: { secret: 'raw' }, sessionId: 's', runtimeRefId: 'r' };
    const event = eventRecord(position, spec, { seq: 0, ts: at, trace: traceOf(null), eventId: 'evt_fixed', payload: { secret: '[redacted]' }, payloadRef: null });
    expect(event).toMatchObject({ eventId: 'evt_fixed', stream: 'control', level: 'warn', payload: { secret: '[redacted]' }, payloadRef: null, sessionId: 's', runtimeRefId: 'r' });
    expect(spec.payload).toEqual({ secret: 'raw' });
  });

  it('acceptedRun is an accepted run with nothing recorded yet, and a valid Run', () => {
    const run = acceptedRun({ runId: 'run_9', capabilityId: 'acme.order.created', connectorId: 'acme', runtimeClass: 'direct', credentialRef: ANONYMOUS_CREDENTIAL_REF, input: { a: 1 }, tenantId: 't', at });
    expect(run).toEqual({
      runId: 'run_9',
      capabilityId: 'acme.order.created',
      connectorId: 'acme',
      runtimeClass: 'direct',
      status: 'accepted',
      input: { a: 1 },
      sealedInput: null,
      credentialRef: ANONYMOUS_CREDENTIAL_REF,
      targetId: null,
      tenantId: 't',
      actorId: null,
      traceId: null,
      idempotencyKey: null,
      result: null,
      error: null,
      policy: null,
      createdAt: at,
      updatedAt: at,
    });
    expect(RunSchema.parse(run)).toEqual(run);
  });
});
