import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, isIntegrationError, type Platform } from '../src';
import { notesConnector } from '@integration/connector-notes';

async function platformUnderTest(): Promise<Platform> {
  const directory = await mkdtemp(join(tmpdir(), 'notes-'));
  return createPlatform({ connectors: [notesConnector({ directory })], secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
}

async function outcome(call: () => Promise<unknown>): Promise<'ok' | 'typed'> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (!isIntegrationError(error)) throw new Error(`untyped error escaped: ${String(error)}`, { cause: error });
    return 'typed';
  }
}

/** Every stored run is finished and its event list is closed: nothing half-written. */
async function assertNoPartialWrites(platform: Platform): Promise<void> {
  for (const run of await platform.runs()) {
    expect(['completed', 'failed', 'denied', 'shed']).toContain(run.status);
    const events = await platform.events(run.runId);
    expect(events.length).toBeGreaterThan(0);
    const last = events.filter((e) => e.attempt === (events.at(-1)!.attempt ?? null)).at(-1)!;
    expect(['run.completed', 'run.failed', 'audit.policy_denied', 'audit.policy_shed']).toContain(last.type);
  }
}

const json = fc.jsonValue({ maxDepth: 3 });
const capabilityId = fc.constantFrom('notes.note.append', 'notes.note.read', 'notes.note.publish', 'nope.x.y');
const nearlyValidRequest = fc.record(
  {
    capabilityId: fc.oneof(capabilityId, fc.string()),
    input: fc.oneof(json, fc.record({ name: fc.oneof(fc.constant('a-note'), fc.string()), line: fc.oneof(fc.string(), json) })),
    actorId: fc.oneof(fc.string(), json),
    targetId: fc.string(),
    sandbox: json,
    pressure: fc.oneof(fc.record({ decision: fc.constantFrom('admit', 'shed', 'nope') }), json),
    idempotencyKey: fc.string(),
    extensions: fc.oneof(json, fc.dictionary(fc.string(), json)),
  },
  { requiredKeys: ['capabilityId'] },
);

describe('facade under arbitrary input', () => {
  it('invoke and executeRun answer with results or IntegrationErrors, never partial writes', async () => {
    const platform = await platformUnderTest();
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, nearlyValidRequest), json, json, async (request, input, options) => {
        await outcome(() => platform.invoke(request as never));
        await outcome(() => platform.invoke(typeof request === 'string' ? request : 'notes.note.append', input as never, options as never));
        await outcome(() => platform.executeRun(request as never, options as never));
      }),
      { numRuns: 200 },
    );
    await assertNoPartialWrites(platform);
    await platform.close();
  });

  it('every lookup and target call rejects malformed input with a typed error', async () => {
    const platform = await platformUnderTest();
    const calls: Array<(value: unknown) => Promise<unknown>> = [
      (v) => platform.fetchRun(v as never),
      (v) => platform.fetchAttempt(v as never),
      (v) => platform.events(v as never),
      (v) => platform.attempts(v as never),
      (v) => platform.runArtifacts(v as never),
      (v) => platform.fetchArtifact(v as never),
      (v) => platform.fetchTarget(v as never),
      (v) => platform.announceTarget(v),
      (v) => platform.compatibleTargets(v as never),
      (v) => platform.compatibleTargetsFor(v as never, v as never),
      (v) => platform.reviewPacket(v as never, v as never),
      (v) => platform.startInstall(v as never, v as never, v as never),
      (v) => platform.completeInstall(v as never, v as never),
      (v) => platform.fetchInstall(v as never),
      (v) => platform.installs(v as never),
      (v) => platform.connectionStatus(v as never),
      (v) => platform.connections(v as never),
      (v) => platform.requestLease(v as never, v as never),
      (v) => platform.fetchLease(v as never),
      (v) => platform.rotateConnection(v as never, v as never),
      (v) => platform.revokeConnection(v as never, v as never),
      async (v) => platform.fetchConnector(v as never),
      async (v) => platform.fetchCapability(v as never),
    ];
    await fc.assert(
      fc.asyncProperty(json, async (value) => {
        for (const call of calls) await outcome(() => call(value));
      }),
      { numRuns: 150 },
    );
    expect(await platform.runs()).toEqual([]);
    expect(await platform.connections()).toEqual([]);
    await platform.close();
  });

  it('fetchX of a missing id is a not-found error, one rule for all', async () => {
    const platform = await platformUnderTest();
    const cases: Array<[Promise<unknown>, string]> = [
      [platform.fetchRun('run_missing'), 'unknown_run'],
      [platform.fetchAttempt('run_missing:1'), 'unknown_attempt'],
      [platform.fetchArtifact('art_missing'), 'unknown_artifact'],
      [platform.fetchTarget('tgt_missing'), 'unknown_target'],
      [platform.fetchInstall('ins_missing'), 'unknown_install'],
      [platform.connectionStatus('conn_missing'), 'unknown_connection'],
      [platform.fetchLease('lease_missing'), 'unknown_lease'],
      [Promise.resolve().then(() => platform.fetchConnector('missing')), 'unknown_connector'],
      [Promise.resolve().then(() => platform.fetchCapability('missing.cap.id')), 'unknown_capability'],
    ];
    for (const [promise, code] of cases) await expect(promise).rejects.toMatchObject({ code, category: 'not_found' });
    await platform.close();
  });

  it('createPlatform rejects malformed options with a typed error', async () => {
    for (const options of [{ connectors: 'x' }, { stores: {} }, { secrets: { keys: 1 } }, { nonsense: true }, { connectors: [{}] }]) {
      await expect(createPlatform(options as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    }
  });
});
