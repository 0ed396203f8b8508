import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { notesConnector } from '@integration/connector-notes';
import { createPlatform, generateSealingKey, isIntegrationError, type Platform } from '../src';
import { durableRecordsText } from '../src/testing';

const CANARY = 'canary-api-token-8d2e6f1b77';
const ROTATED = 'rotated-api-token-3c9a0d4e55';

async function setup() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const directory = await mkdtemp(join(tmpdir(), 'notes-'));
  const platform = await createPlatform({
    connectors: [notesConnector({ directory })],
    secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
    logger: pino({ level: 'debug' }, sink),
  });
  await platform.invoke('notes.note.append', { name: 'release', line: 'v1.0 is out' });
  return { platform, lines, directory };
}

async function install(platform: Platform, secret: string) {
  const started = await platform.startInstall('notes', 'tenant-a', { subject: 'alice', actorId: 'ops', requestedScopes: ['notes:publish'] });
  expect(started.authorizationUrl).toBeNull();
  return platform.completeInstall(started.install.installId, {
    callbackToken: started.callbackToken,
    subject: 'alice',
    secret: { api_token: secret },
    grantedScopes: ['notes:publish'],
  });
}


describe('auth lifecycle through the facade', () => {
  it('install → lease → rotate → lease → revoke, binding only through connectionId', async () => {
    const { platform, lines, directory } = await setup();
    const { connection, credentialRef } = await install(platform, CANARY);
    expect(connection.state).toBe('connected');

    const first = await platform.invoke('notes.note.publish', { name: 'release' }, { connectionId: connection.connectionId });
    expect(first.output).toMatchObject({ name: 'release', publishedBy: 'alice' });
    expect(first.run.credentialRef).toMatchObject({ id: credentialRef.id, connectionId: connection.connectionId });
    const firstLease = await platform.fetchLease(first.attempt.credentialLeaseId!);
    expect(firstLease.payload).toEqual({ api_token: CANARY });

    const rotated = await platform.rotateConnection(connection.connectionId, { secret: { api_token: ROTATED } });
    expect(rotated.credentialRef.id).toBe(credentialRef.id);
    const second = await platform.invoke('notes.note.publish', { name: 'release' }, { connectionId: connection.connectionId });
    expect((second.output as { signature: string }).signature).not.toBe((first.output as { signature: string }).signature);
    expect((await platform.fetchLease(second.attempt.credentialLeaseId!)).payload).toEqual({ api_token: ROTATED });
    // The old lease is bound to the credential version it came from: refused, never the rotated secret.
    const old = await platform.fetchLease(first.attempt.credentialLeaseId!).catch((e) => e);
    expect(isIntegrationError(old) && ['lease_superseded', 'expired_lease', 'lease_revoked'].includes(old.code)).toBe(true);

    await platform.revokeConnection(connection.connectionId, { reason: 'offboarding' });
    const refused = await platform.invoke('notes.note.publish', { name: 'release' }, { connectionId: connection.connectionId }).catch((e) => e);
    expect(refused.code).toBe('connection_revoked');
    expect(refused.run).toBeUndefined();
    await expect(platform.requestLease(connection.connectionId)).rejects.toMatchObject({ code: 'connection_revoked' });

    const published = await readFile(join(directory, 'release.published'), 'utf8');
    expect(published.trim().split('\n')).toHaveLength(2);

    const durable = await durableRecordsText(platform);
    for (const secret of [CANARY, ROTATED]) {
      expect(durable).not.toContain(secret);
      expect(lines.join('')).not.toContain(secret);
      expect(JSON.stringify(refused)).not.toContain(secret);
      expect(String(refused.message)).not.toContain(secret);
    }
    await platform.close();
  });

  it('a scoped capability needs a connection whose grant covers it', async () => {
    const { platform } = await setup();
    const started = await platform.startInstall('notes', 'tenant-a', { subject: 'bob', requestedScopes: [] });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'bob',
      secret: { api_token: CANARY },
      grantedScopes: [],
    });
    const error = await platform.invoke('notes.note.publish', { name: 'release' }, { connectionId: connection.connectionId }).catch((e) => e);
    expect(error.code).toBe('policy_denied');
    expect(error.run.status).toBe('denied');
    expect(error.run.policy.reasons.join()).toMatch(/notes:publish/);
    await expect(platform.invoke('notes.note.publish', { name: 'release' }, { connectionId: 'conn_missing' })).rejects.toMatchObject({
      code: 'unknown_connection',
    });
    expect(await durableRecordsText(platform)).not.toContain(CANARY);
    await platform.close();
  });

  it('refuses to start without a key ring outside development', async () => {
    await expect(createPlatform({ environment: 'production' })).rejects.toMatchObject({ code: 'key_configuration_missing' });
  });
});
