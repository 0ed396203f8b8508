import { describe, expect, it } from 'vitest';
import { isoAt, type CredentialRef, type IntegrationError, type Lease } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createDirectRuntime } from '@integration/direct-runtime';
import { createControlPlane, type AuthBinding } from '../src';
import { echoConnector } from './support/echo-connector';

const CANARY = 'canary-token-5b1f0c3a9e';

/** The control plane's auth seam, answered by a tiny in-test binding with a canary lease. */
function canaryAuth(): AuthBinding {
  const credentialRef: CredentialRef = {
    id: 'cred_test',
    subject: 'octocat',
    scopes: ['echo:sign'],
    authType: 'api_token',
    connectionId: 'conn_test',
    installId: null,
    connectorId: 'echo',
    tenantId: 'tenant-a',
  };
  return {
    async bind(connectionId) {
      if (connectionId !== 'conn_test') throw Object.assign(new Error('unknown'), {});
      return { connectionId, credentialRef, tenantId: 'tenant-a', grantedScopes: ['echo:sign'] };
    },
    async lease(bound, ctx): Promise<Lease> {
      return {
        leaseId: 'lease_test',
        credentialRefId: credentialRef.id,
        connectionId: bound.connectionId,
        subject: 'octocat',
        scopes: ctx.requiredScopes,
        payload: { access_token: CANARY },
        issuedAt: isoAt(Date.now()),
        expiresAt: isoAt(Date.now() + 300_000),
      };
    },
  };
}

function setup() {
  const stores = memoryStores();
  const cp = createControlPlane({ stores, auth: canaryAuth(), runtimes: { direct: createDirectRuntime() } });
  cp.registerConnector(echoConnector());
  return { stores, cp };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<IntegrationError> {
  const error = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as IntegrationError | null;
  expect(error, `expected ${code}`).not.toBeNull();
  expect(error!.code).toBe(code);
  return error!;
}

describe('direct invoke', () => {
  it('records the exact event list and seqs of a success', async () => {
    const { cp } = setup();
    const { run, attempt, output } = await cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'hi' } });
    expect(output).toEqual({ message: 'hi', attempt: 1 });
    expect(run.status).toBe('completed');
    expect(attempt.attemptId).toBe(`${run.runId}:1`);
    expect(attempt.status).toBe('completed');
    expect(attempt.credentialLeaseId).toMatch(/^lease_/);
    const events = await cp.events(run.runId);
    expect(events.map((e) => [e.type, e.seq, e.attemptId])).toEqual([
      ['run.started', 0, attempt.attemptId],
      ['attempt.started', 1, attempt.attemptId],
      ['connector.echo.message.sent', 2, attempt.attemptId],
      ['attempt.completed', 3, attempt.attemptId],
      ['artifact.recorded', 4, attempt.attemptId],
      ['run.completed', 5, attempt.attemptId],
    ]);
    const artifacts = await cp.runArtifacts(run.runId);
    expect(artifacts).toHaveLength(1);
    expect(artifacts[0]!.payloadRef.key).toBe(`echo/${run.runId}/${attempt.attemptId}/message_send`);
    expect(await cp.fetchArtifact(artifacts[0]!.artifactId)).toEqual(artifacts[0]);
  });

  it('rejects before any run: unknown capability, invalid input, missing connection', async () => {
    const { cp, stores } = setup();
    await expectCode(cp.invoke({ capabilityId: 'nope.nothing.here', input: {} }), 'unknown_capability');
    await expectCode(cp.invoke({ capabilityId: 'echo.message.send', input: { message: '' } }), 'invalid_input');
    await expectCode(cp.invoke({ capabilityId: 'echo.message.sign', input: { message: 'x' } }), 'connection_required');
    await expectCode(cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'x' }, credentialRef: { id: 'x' } } as never), 'invalid_argument');
    expect(await stores.ledger.listRuns()).toEqual([]);
  });

  it('fails the run with one run.failed and no attempt for an incompatible target', async () => {
    const { cp } = setup();
    await cp.announceTarget({
      targetId: 'tgt-session',
      capabilityId: 'echo.message.send',
      runtimeClass: 'session',
      version: '1.0.0',
      location: { mode: 'local' },
    });
    const error = await expectCode(cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'x' }, targetId: 'tgt-session' }), 'target_incompatible');
    expect(error.details.reason).toBe('runtime_class_mismatch');
    const run = error.run!;
    expect(run.status).toBe('failed');
    expect(await cp.attempts(run.runId)).toEqual([]);
    expect((await cp.events(run.runId)).map((e) => [e.type, e.seq, e.attemptId])).toEqual([['run.failed', 0, null]]);
    await expectCode(cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'x' }, targetId: 'tgt-missing' }), 'unknown_target');
  });

  it('records denied and shed runs with the policy snapshot, two events and no attempt', async () => {
    const { cp } = setup();
    const denied = await expectCode(cp.invoke({ capabilityId: 'echo.message.guarded', input: { message: 'x' }, actorId: 'mallory' }), 'policy_denied');
    expect(denied.policyDecision?.status).toBe('denied');
    const deniedRun = await cp.fetchRun(denied.run!.runId);
    expect(deniedRun.status).toBe('denied');
    expect(deniedRun.policy).toMatchObject({ status: 'denied', capabilityId: 'echo.message.guarded', actorId: 'mallory', credentialRefId: 'cred_anonymous' });
    expect((deniedRun.policy!.reasons as string[]).length).toBeGreaterThanOrEqual(2);
    const deniedEvents = await cp.events(deniedRun.runId);
    expect(deniedEvents.map((e) => [e.type, e.seq, e.stream, e.level])).toEqual([
      ['run.denied', 0, 'system', 'error'],
      ['audit.policy_denied', 1, 'control', 'error'],
    ]);
    expect(await cp.attempts(deniedRun.runId)).toEqual([]);

    const shed = await expectCode(
      cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'x' }, pressure: { decision: 'shed', reason: 'queue full' } }),
      'policy_shed',
    );
    expect(shed.run!.status).toBe('shed');
    expect(shed.run!.policy).toMatchObject({ status: 'shed', reasons: ['queue full'] });
    expect((await cp.events(shed.run!.runId)).map((e) => e.type)).toEqual(['run.shed', 'audit.policy_shed']);
    expect(await cp.attempts(shed.run!.runId)).toEqual([]);
  });

  it('executeRun adds attempt 2 to a failed run and refuses terminal runs without writing', async () => {
    const { cp, stores } = setup();
    const failure = await expectCode(cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'retry me', failUntilAttempt: 1 } }), 'connector_unavailable');
    expect(failure.retryable).toBe(true);
    expect(failure.retryAfterMs).toBe(10);
    const runId = failure.run!.runId;
    expect(failure.attempt?.status).toBe('failed');
    expect((await cp.events(runId)).map((e) => e.type)).toEqual(['run.started', 'attempt.started', 'attempt.failed', 'run.failed']);

    const second = await cp.executeRun(runId);
    expect(second.attempt.attempt).toBe(2);
    expect(second.attempt.attemptId).toBe(`${runId}:2`);
    expect(second.output).toEqual({ message: 'retry me', attempt: 2 });
    const secondEvents = (await cp.events(runId)).filter((e) => e.attempt === 2);
    expect(secondEvents[0]).toMatchObject({ type: 'run.started', seq: 0 });

    const before = JSON.stringify(await Promise.all([cp.fetchRun(runId), cp.events(runId), cp.attempts(runId)]));
    await expectCode(cp.executeRun(runId), 'run_completed');
    expect(JSON.stringify(await Promise.all([cp.fetchRun(runId), cp.events(runId), cp.attempts(runId)]))).toBe(before);

    const denied = await expectCode(cp.invoke({ capabilityId: 'echo.message.guarded', input: { message: 'x' } }), 'policy_denied');
    const deniedBefore = JSON.stringify(await cp.events(denied.run!.runId));
    await expectCode(cp.executeRun(denied.run!.runId), 'run_denied');
    expect(JSON.stringify(await cp.events(denied.run!.runId))).toBe(deniedBefore);
    const shed = await expectCode(cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'x' }, pressure: { decision: 'shed' } }), 'policy_shed');
    await expectCode(cp.executeRun(shed.run!.runId), 'run_shed');
    await expectCode(cp.executeRun('run_missing'), 'unknown_run');
    expect((await stores.ledger.listRuns()).length).toBe(3);
  });

  it('fails an attempt whose output violates the output schema', async () => {
    const { cp } = setup();
    const error = await expectCode(cp.invoke({ capabilityId: 'echo.message.malformed', input: {} }), 'invalid_output');
    expect((await cp.events(error.run!.runId)).map((e) => e.type)).toEqual(['run.started', 'attempt.started', 'attempt.failed', 'run.failed']);
  });

  it('returns the exact output, and keeps the lease token and declared-secret fields out of every durable record', async () => {
    const { cp, stores } = setup();
    const { run, output } = await cp.invoke({ capabilityId: 'echo.message.leak', input: { message: 'x' }, connectionId: 'conn_test' });
    // The caller's output is what the handler returned: known secrets and key names alike.
    expect(output).toEqual({ echoed: CANARY, client_secret: 'shh-client-secret', nested: { apiKey: 'k-123456', credentialRefId: 'cred_x' } });
    expect(run.result).toEqual({ echoed: '[REDACTED]', client_secret: '[REDACTED]', nested: { apiKey: 'k-123456', credentialRefId: 'cred_x' } });
    const everything = JSON.stringify([
      await stores.ledger.listRuns(),
      await cp.attempts(run.runId),
      await cp.events(run.runId),
      await cp.runArtifacts(run.runId),
      await cp.reviewPacket(run.runId),
    ]);
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain('shh-client-secret');
    expect(everything).toContain('"maxTokens":5');
    // A key that merely looks secret is data: it is never guessed at.
    expect(everything).toContain('"apiKey":"k-123456"');
    expect(run.credentialRef).toMatchObject({ id: 'cred_test', connectionId: 'conn_test' });
  });

  it('returns the first run for a repeated idempotency key', async () => {
    const { cp, stores } = setup();
    const first = await cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'once' }, idempotencyKey: 'key-1' });
    const second = await cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'once' }, idempotencyKey: 'key-1' });
    expect(second.run.runId).toBe(first.run.runId);
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => cp.invoke({ capabilityId: 'echo.message.send', input: { message: 'race' }, idempotencyKey: 'key-2' }).catch((e) => e)),
    );
    const runIds = new Set(racing.map((r) => (r as { run: { runId: string } }).run.runId));
    expect(runIds.size).toBe(1);
    expect((await stores.ledger.listRuns()).length).toBe(2);
  });

  it('refuses a capability id published by two connectors', () => {
    const { cp } = setup();
    const clash = { ...echoConnector(), id: 'other' };
    expect(() => cp.registerConnector(clash)).toThrowError(expect.objectContaining({ code: 'duplicate_capability' }));
  });
});
