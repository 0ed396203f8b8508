import { describe, expect, it } from 'vitest';
import { ReviewProjectionSchema } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createDirectRuntime } from '@integration/direct-runtime';
import { createControlPlane } from '../src';
import { echoConnector } from './support/echo-connector';

function setup() {
  const cp = createControlPlane({ stores: memoryStores(), runtimes: { direct: createDirectRuntime() } });
  cp.registerConnector(echoConnector());
  return cp;
}

describe('review packet', () => {
  it('explains a fail-then-retry run with exact URIs and evidence in order', async () => {
    const cp = setup();
    const failed = await cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'x', failUntilAttempt: 1 } }).catch((e) => e);
    const runId: string = failed.run.runId;
    await cp.executeRun(runId);
    const packet = await cp.reviewPacket(runId);
    const encoded = encodeURIComponent(runId);
    expect(packet.metadata.packetRef).toBe(`integration://v1/review_packet/run/${encoded}`);
    expect(packet.metadata.subject.ref).toBe(`integration://v1/subject/run/${encoded}`);
    expect(packet.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(packet.attempt?.attempt).toBe(2);
    expect(packet.metadata.selectedAttempt?.ref).toBe(`integration://v1/subject/attempt/${encoded}%3A2`);
    const kinds = packet.metadata.evidenceRefs.map((e) => e.kind);
    expect(kinds[0]).toBe('run');
    expect(kinds.slice(1, 3)).toEqual(['attempt', 'attempt']);
    expect(kinds.filter((k) => k === 'event')).toHaveLength(packet.events.length);
    expect(kinds.at(-1)).toBe('artifact');
    expect(packet.metadata.evidenceRefs[0]).toMatchObject({
      ref: `integration://v1/evidence/run/${encoded}`,
      metadata: { status: 'completed' },
      packetRef: packet.metadata.packetRef,
    });
    expect(packet.metadata.governanceRefs).toEqual([]);
    expect(packet.capability).toMatchObject({ capabilityId: 'echo.message.send', connectorId: 'echo', runtimeClass: 'direct' });
    expect(packet.connector).toMatchObject({ connectorId: 'echo', authType: 'api_token' });
    expect(packet.events.map((e) => e.type)).toContain('run.failed');
    expect(packet.events.map((e) => e.type)).toContain('run.completed');

    const first = await cp.reviewPacket(runId, { attemptId: `${runId}:1` });
    expect(first.attempt?.attempt).toBe(1);
    expect(first.metadata.packetRef).toBe(`integration://v1/review_packet/run/${encoded}?attempt_id=${encoded}%3A1`);
    await expect(cp.reviewPacket(runId, { attemptId: `${runId}:9` })).rejects.toMatchObject({ code: 'unknown_attempt' });
    await expect(cp.reviewPacket('run_missing')).rejects.toMatchObject({ code: 'unknown_run' });
  });

  it('derives one policy_decision governance ref per audit event of a denied run', async () => {
    const cp = setup();
    const denied = await cp.invoke({ capabilityId: 'echo.message.guarded', input: { message: 'x' } }).catch((e) => e);
    const packet = await cp.reviewPacket(denied.run.runId);
    expect(packet.attempt).toBeNull();
    expect(packet.metadata.governanceRefs).toHaveLength(1);
    const governance = packet.metadata.governanceRefs[0]!;
    const audit = packet.events.find((e) => e.type === 'audit.policy_denied')!;
    expect(governance).toMatchObject({
      kind: 'policy_decision',
      id: audit.eventId,
      ref: `integration://v1/governance/policy_decision/${encodeURIComponent(audit.eventId)}`,
      metadata: { status: 'denied', eventType: 'audit.policy_denied' },
    });
    expect(governance.evidence.map((e) => e.kind)).toEqual(['run', 'event']);
    const roundTrip = ReviewProjectionSchema.parse(JSON.parse(JSON.stringify(packet.metadata)));
    expect(roundTrip).toEqual(packet.metadata);
    expect(() => ReviewProjectionSchema.parse({ ...packet.metadata, subject: { ...packet.metadata.subject, ref: 'integration://v1/subject/run/other' } })).toThrow();
  });
});

describe('targets', () => {
  it('negotiates versions and sorts compatible targets by version then id', async () => {
    const cp = setup();
    const base = { capabilityId: 'echo.message.send', runtimeClass: 'direct', location: { mode: 'local' } } as const;
    await cp.announceTarget({ ...base, targetId: 'b', version: '1.2.0', features: { featureIds: [], runspecVersions: ['1.0.0', '1.1.0'], eventSchemaVersions: ['1.0.0'] } });
    await cp.announceTarget({ ...base, targetId: 'a', version: '1.2.0', features: { featureIds: [], runspecVersions: ['1.0.0'], eventSchemaVersions: ['1.0.0'] } });
    await cp.announceTarget({ ...base, targetId: 'c', version: '2.0.0' });
    await cp.announceTarget({ ...base, targetId: 'd', version: '1.5.0', health: 'degraded' });
    const matches = await cp.compatibleTargets({
      capabilityId: 'echo.message.send',
      runtimeClass: 'direct',
      versionRequirement: '^1.0.0',
      acceptedRunspecVersions: ['1.0.0', '1.1.0'],
    });
    expect(matches.map((m) => m.target.targetId)).toEqual(['a', 'b']);
    expect(matches[1]!.negotiated.runspecVersion).toBe('1.1.0');
    await expect(cp.compatibleTargets({ capabilityId: 'echo.message.send', runtimeClass: 'direct', driver: 'x' } as never)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect((await cp.targets({ health: 'degraded' })).map((t) => t.targetId)).toEqual(['d']);
    await expect(cp.fetchTarget('zzz')).rejects.toMatchObject({ code: 'unknown_target' });
    await expect(cp.announceTarget({ targetId: 'bad' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
