import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notesConnector } from '@integration/connector-notes';
import { createPlatform, generateSealingKey, type Platform } from '../src';
import { storeTiers, type StoreTierFactory, type TierInstance } from '../src/testing';

const CANARY = 'canary-tier-token-71e0a4c9d2';
const tiers = await storeTiers();

async function platformOn(instance: TierInstance): Promise<Platform> {
  const directory = await mkdtemp(join(tmpdir(), 'notes-'));
  return createPlatform({
    connectors: [notesConnector({ directory })],
    stores: instance.stores,
    secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
  });
}

/** The platform's own pipeline and auth suites, on every durability tier. */
describe.each(tiers)('platform on the $name tier', (tier: StoreTierFactory) => {
  let instance: TierInstance;
  let platform: Platform;
  beforeAll(async () => {
    if (tier.unavailable) return;
    instance = await tier.create();
    platform = await platformOn(instance);
  });
  afterAll(async () => {
    if (tier.unavailable) return;
    await platform.close();
    await instance.cleanup();
  });

  it.skipIf(tier.unavailable !== null)('records a direct success with the exact event list', async () => {
    const { run, attempt } = await platform.invoke('notes.note.append', { name: 'tiers', line: 'one' });
    expect(attempt.attemptId).toBe(`${run.runId}:1`);
    expect((await platform.events(run.runId)).map((e) => [e.type, e.seq])).toEqual([
      ['run.started', 0],
      ['attempt.started', 1],
      ['connector.notes.note.appended', 2],
      ['attempt.completed', 3],
      ['artifact.recorded', 4],
      ['run.completed', 5],
    ]);
    expect(await platform.runArtifacts(run.runId)).toHaveLength(1);
  });

  it.skipIf(tier.unavailable !== null)('records failures, sheds and retries the same way', async () => {
    const failed = await platform.invoke('notes.note.read', { name: 'absent' }).catch((e) => e);
    expect(failed.code).toBe('connector_invalid_request');
    expect((await platform.events(failed.run.runId)).map((e) => e.type)).toEqual(['run.started', 'attempt.started', 'attempt.failed', 'run.failed']);
    await platform.invoke('notes.note.append', { name: 'absent', line: 'now it exists' });
    const retried = await platform.executeRun(failed.run.runId);
    expect(retried.attempt.attempt).toBe(2);
    expect(retried.run.status).toBe('completed');
    await expect(platform.executeRun(failed.run.runId)).rejects.toMatchObject({ code: 'run_completed' });

    const shed = await platform.invoke('notes.note.append', { name: 'tiers', line: 'x' }, { pressure: { decision: 'shed' } }).catch((e) => e);
    expect(shed.run.status).toBe('shed');
    expect((await platform.events(shed.run.runId)).map((e) => e.type)).toEqual(['run.shed', 'audit.policy_shed']);
    const packet = await platform.reviewPacket(shed.run.runId);
    expect(packet.metadata.governanceRefs).toHaveLength(1);
  });

  it.skipIf(tier.unavailable !== null)('enforces idempotency keys', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => platform.invoke('notes.note.append', { name: 'idem', line: 'once' }, { idempotencyKey: 'idem-1' }).catch((e) => e)),
    );
    expect(new Set(results.map((r) => r.run.runId)).size).toBe(1);
    const read = await platform.invoke('notes.note.read', { name: 'idem' });
    expect(read.output).toEqual({ name: 'idem', lines: ['once'] });
  });

  it.skipIf(tier.unavailable !== null)('runs the auth lifecycle and keeps the canary out of every byte it stores', async () => {
    const started = await platform.startInstall('notes', 'tenant-t', { subject: 'tess', requestedScopes: ['notes:publish'] });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'tess',
      secret: { api_token: CANARY },
      grantedScopes: ['notes:publish'],
    });
    const published = await platform.invoke('notes.note.publish', { name: 'tiers' }, { connectionId: connection.connectionId });
    expect((await platform.fetchLease(published.attempt.credentialLeaseId!)).payload).toEqual({ api_token: CANARY });
    await platform.rotateConnection(connection.connectionId, { secret: { api_token: `${CANARY}-rotated` } });
    await platform.revokeConnection(connection.connectionId, { reason: 'done' });
    await expect(platform.invoke('notes.note.publish', { name: 'tiers' }, { connectionId: connection.connectionId })).rejects.toMatchObject({
      code: 'connection_revoked',
    });
    const durable = JSON.stringify([await platform.runs(), await platform.connections(), await platform.reviewPacket(published.run.runId)]);
    expect(durable).not.toContain(CANARY);
    if (instance.rawContents) {
      const bytes = await instance.rawContents();
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.includes(Buffer.from(CANARY))).toBe(false);
      expect(bytes.includes(Buffer.from('tiers'))).toBe(true);
    }
  });
});
