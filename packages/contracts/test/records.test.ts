import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ArtifactRefSchema,
  AttemptSchema,
  checksumOf,
  EventSchema,
  InvocationRequestSchema,
  parseAt,
  PayloadRefSchema,
  ReviewProjectionSchema,
  subjectRef,
  targetCompatibility,
  TargetDescriptorSchema,
  authoredRequirements,
  parseTargetRequirements,
  mergeBoundaryCapability,
} from '../src';

const now = '2026-01-01T00:00:00.000Z';
const checksum = checksumOf('hello');
const payloadRef = { store: 'connector_review', key: 'echo/run_1/run_1:1/x', checksum, sizeBytes: 5 };

describe('InvocationRequest', () => {
  it('defaults allowedOperations to the capability and keeps extensions', () => {
    const parsed = InvocationRequestSchema.parse({ capabilityId: 'a.b', input: { x: 1 }, extensions: { custom: true } });
    expect(parsed.allowedOperations).toEqual(['a.b']);
    expect(parsed.extensions).toEqual({ custom: true });
  });

  it('rejects credentialRef anywhere, reserved extension keys and unknown fields', () => {
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: 'a.b', credentialRef: { id: 'x' } }, 'req')).toThrow(/credentialRef/);
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: 'a.b', credential_ref: 'x' }, 'req')).toThrow(/credentialRef/);
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: 'a.b', extensions: { deep: { credentialRef: 1 } } }, 'req')).toThrow(/credentialRef/);
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: 'a.b', extensions: { tenantId: 't' } }, 'req')).toThrow(/reserved/);
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: 'a.b', tenantid: 't' }, 'req')).toThrow(/unknown/);
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: '' }, 'req')).toThrow();
    expect(() => parseAt(InvocationRequestSchema, { capabilityId: 'a.b', aggregatorEpoch: 0 }, 'req')).toThrow();
  });
});

describe('ledger records', () => {
  it('attempt and event ids derive from the run', () => {
    const base = { runId: 'run_1', attempt: 2, status: 'running', runtimeClass: 'direct', createdAt: now, updatedAt: now };
    expect(AttemptSchema.safeParse({ ...base, attemptId: 'run_1:2' }).success).toBe(true);
    expect(AttemptSchema.safeParse({ ...base, attemptId: 'run_1:3' }).success).toBe(false);
    const event = { eventId: 'evt_1', runId: 'run_1', seq: 0, type: 'x', ts: now };
    expect(EventSchema.parse(event)).toMatchObject({ schemaVersion: '1.0', stream: 'system', level: 'info', attemptId: null });
    expect(EventSchema.safeParse({ ...event, attemptId: 'run_1:1' }).success).toBe(false);
    expect(EventSchema.safeParse({ ...event, attemptId: 'run_1:1', attempt: 1 }).success).toBe(true);
    expect(EventSchema.safeParse({ ...event, payload: 'not an object' }).success).toBe(false);
  });

  it('artifact refs must match their payload ref and never point at local files', () => {
    const artifact = {
      artifactId: 'art_1',
      runId: 'run_1',
      attemptId: 'run_1:1',
      artifactType: 'tool_output',
      checksum,
      sizeBytes: 5,
      payloadRef,
      createdAt: now,
    };
    expect(ArtifactRefSchema.safeParse(artifact).success).toBe(true);
    expect(ArtifactRefSchema.safeParse({ ...artifact, sizeBytes: 6 }).success).toBe(false);
    expect(ArtifactRefSchema.safeParse({ ...artifact, checksum: checksumOf('other') }).success).toBe(false);
    expect(ArtifactRefSchema.safeParse({ ...artifact, attemptId: 'run_2:1' }).success).toBe(false);
    for (const bad of [{ key: '/etc/passwd' }, { key: 'C:\\x' }, { key: '../up' }, { store: 'file' }, { store: 'Local' }]) {
      expect(PayloadRefSchema.safeParse({ ...payloadRef, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('review projections round-trip through JSON and keep stable URIs', () => {
    const subject = subjectRef('run', 'run-123');
    expect(subject.ref).toBe('integration://v1/subject/run/run-123');
    expect(subjectRef('attempt', 'run-123:2').ref).toBe('integration://v1/subject/attempt/run-123%3A2');
    const projection = ReviewProjectionSchema.parse({ projection: 'p', packetRef: 'integration://v1/review_packet/run/run-123', subject });
    expect(ReviewProjectionSchema.parse(JSON.parse(JSON.stringify(projection)))).toEqual(projection);
    expect(() => ReviewProjectionSchema.parse({ ...projection, selectedAttempt: subject })).toThrow();
  });
});

describe('targets', () => {
  const target = TargetDescriptorSchema.parse({
    targetId: 't1',
    capabilityId: 'codex.exec.session',
    runtimeClass: 'session',
    version: '1.4.0',
    features: { featureIds: ['subprocess'], runspecVersions: ['1.0.0', '1.1.0'], eventSchemaVersions: ['1.0.0'] },
    location: { mode: 'local' },
  });
  const capability = { id: 'codex.exec.session', runtimeClass: 'session' as const, runtime: { driver: 'subprocess' } };

  it('checks in order and negotiates the highest common versions', () => {
    const ok = targetCompatibility(target, authoredRequirements(capability, { versionRequirement: '^1.0.0', acceptedRunspecVersions: ['1.1.0', '1.0.0'] }));
    expect(ok).toEqual({ compatible: true, negotiated: { runspecVersion: '1.1.0', eventSchemaVersion: null } });
    const wrongDriver = targetCompatibility(target, authoredRequirements({ ...capability, runtime: { driver: 'in-process' } }));
    expect(wrongDriver).toMatchObject({ compatible: false, reason: 'missing_required_features' });
    expect(targetCompatibility(target, authoredRequirements(capability, { versionRequirement: '^2.0.0' }))).toMatchObject({ reason: 'version_mismatch' });
    expect(targetCompatibility({ ...target, health: 'degraded' }, authoredRequirements(capability))).toMatchObject({ reason: 'target_unhealthy' });
    expect(targetCompatibility(target, authoredRequirements(capability, { acceptedRunspecVersions: ['2.0.0'] }))).toMatchObject({ reason: 'version_mismatch' });
  });

  it('refuses routing overrides and only narrows boundary capabilities', () => {
    expect(() => parseTargetRequirements({ capabilityId: 'x', runtimeClass: 'direct', driver: 'other' })).toThrow(/routing/);
    expect(
      mergeBoundaryCapability({ supported: true, boundaryClasses: ['a', 'b'], attachModes: ['x'], checkpointing: true }, { boundaryClasses: ['b', 'c'], checkpointing: false }),
    ).toEqual({ supported: true, boundaryClasses: ['b'], attachModes: ['x'], checkpointing: false });
  });

  it('parses with zod errors as typed ones', () => {
    expect(() => parseAt(z.string(), 1, 'x')).toThrowError(expect.objectContaining({ code: 'invalid_argument' }));
  });
});
