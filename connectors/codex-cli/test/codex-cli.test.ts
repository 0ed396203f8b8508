import { afterEach, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, type Platform } from '@integration/platform';
import { durableRecordsText } from '@integration/platform/testing';
import { createSessionRuntime, memoryArtifactPayloads, type SessionRuntime } from '@integration/session-runtime';
import { ManualClock, attemptIdFor, isoAt, newId, silentLogger, type RuntimeContext } from '@integration/contracts';
import { codexCli, CodexExecOutputSchema, fakeCodexPath, CODEX_EXEC_SESSION } from '../src';

const TOKEN = 'sk-codex-canary-5e5e5e5e5e5e';
const connector = () => codexCli({ command: process.execPath, args: [fakeCodexPath()] });
const capability = () => connector().capabilities.find((c) => c.id === CODEX_EXEC_SESSION)!;

function context(connectionId = 'conn_codex'): RuntimeContext {
  const clock = new ManualClock();
  const runId = newId('run');
  return {
    runId,
    attempt: 1,
    attemptId: attemptIdFor(runId, 1),
    lease: { leaseId: newId('lease'), credentialRefId: 'cred_1', connectionId, subject: 'dev', scopes: ['session:execute'], payload: { access_token: TOKEN }, issuedAt: isoAt(clock.now()), expiresAt: isoAt(clock.now() + 300_000) },
    credentialRef: { id: 'cred_1', subject: 'dev', scopes: ['session:execute'], authType: 'api_token', connectionId, installId: null, connectorId: 'codex_cli', tenantId: 't1' },
    connectionId,
    tenantId: 't1',
    actorId: 'a1',
    traceId: null,
    idempotencyKey: null,
    executionPolicy: { runtimeClass: 'session', sandbox: capability().policy.sandbox },
    target: null,
    signal: new AbortController().signal,
    timeoutMs: 30_000,
    logger: silentLogger,
    clock,
    extensions: {},
  };
}

describe('codex_cli connector definition', () => {
  it('declares the session contract: subprocess driver, provider codex, strict sandbox with manual approvals', () => {
    const def = connector();
    expect(def.id).toBe('codex_cli');
    expect(def.runtimeFamilies).toEqual(['session']);
    expect(def.auth).toMatchObject({ type: 'api_token', requestedScopes: ['session:execute'], leaseFields: ['access_token'] });
    const cap = capability();
    expect(cap).toMatchObject({
      runtimeClass: 'session',
      requiredScopes: ['session:execute'],
      runtime: { driver: 'subprocess', provider: 'codex', options: { command: process.execPath, args: [fakeCodexPath()] } },
      runtimeFamily: { sessionAffinity: 'connection', resumable: true, approvalRequired: true, streamCapable: true, runtimeRef: 'session' },
      consumerSurface: { mode: 'common', normalizedId: 'codex.exec.session', actionName: 'codex_exec_session' },
    });
    expect(cap.policy.sandbox).toMatchObject({ level: 'strict', egress: 'restricted', approvals: 'manual', fileScope: '/workspaces/codex_cli' });
    expect(codexCli().capabilities[0]!.runtime).toEqual({ driver: 'subprocess', provider: 'codex', options: {} });
    expect(def.conformance?.fixtures).toHaveLength(1);
  });

  it('rejects empty prompts and extra input keys', () => {
    const schema = capability().inputSchema;
    expect(schema.safeParse({ prompt: '   ' }).success).toBe(false);
    expect(schema.safeParse({ prompt: 'x', credentialRef: 'y' }).success).toBe(false);
  });
});

describe('codex.exec.session on the session runtime (fake CLI)', () => {
  let runtime: SessionRuntime;
  afterEach(() => runtime?.close());

  it('successive invokes are turns of one session with schema-valid outputs; the token stays out of events and artifacts', async () => {
    const payloads = memoryArtifactPayloads();
    runtime = createSessionRuntime({ artifactPayloads: payloads });
    const first = await runtime.execute(capability(), { prompt: 'Plan the release' }, context());
    const second = await runtime.execute(capability(), { prompt: 'env' }, context());
    expect(first.status).toBe('completed');
    expect(second.status).toBe('completed');
    if (first.status !== 'completed' || second.status !== 'completed') return;
    const out1 = CodexExecOutputSchema.parse(first.output);
    const out2 = CodexExecOutputSchema.parse(second.output);
    expect(out1).toMatchObject({ reply: 'turn 1: plan the release', turn: 1, workspace: '/workspaces/codex_cli', approvalMode: 'manual' });
    expect(out2.turn).toBe(2);
    expect(out2.sessionId).toBe(out1.sessionId);
    expect(second.runtimeRefId).toBe(first.runtimeRefId);
    // The reply is the CLI's own output, returned unchanged; records get the redacted view.
    expect(out2.reply).toContain(`"CODEX_API_KEY":"${TOKEN}"`);
    const blobs = await Promise.all(payloads.keys().map(async (k) => new TextDecoder().decode((await payloads.get(k))!)));
    expect(blobs.length).toBeGreaterThan(0);
    expect(JSON.stringify([first.events, second.events, first.artifacts, second.artifacts, blobs])).not.toContain(TOKEN);
  });
});

describe('codex.exec.session through platform.invoke', () => {
  let platform: Platform;
  let runtime: SessionRuntime;
  afterEach(async () => {
    await platform?.close();
    await runtime?.close();
  });

  it('install → two invokes on one connection share the session; review shows runtimeRefId; the token never lands in records', async () => {
    // The platform's default session runtime (createSessionRuntime) runs it.
    platform = await createPlatform({
      connectors: [connector()],
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
    });
    const started = await platform.startInstall('codex_cli', 'tenant-a', { subject: 'dev', actorId: 'ops', requestedScopes: ['session:execute'] });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'dev',
      secret: { access_token: TOKEN },
      grantedScopes: ['session:execute'],
    });
    const opts = { connectionId: connection.connectionId, actorId: 'dev', tenantId: 'tenant-a', environment: 'prod' };
    const first = await platform.invoke(CODEX_EXEC_SESSION, { prompt: 'Hello' }, opts);
    const second = await platform.invoke(CODEX_EXEC_SESSION, { prompt: 'env' }, opts);
    expect(first.output).toMatchObject({ reply: 'turn 1: hello', turn: 1 });
    expect(second.output).toMatchObject({ turn: 2 });
    expect(first.attempt.runtimeRefId).toMatch(/^sess_/);
    expect(second.attempt.runtimeRefId).toBe(first.attempt.runtimeRefId);

    const events = await platform.events(first.run.runId);
    expect(events.map((e) => e.type)).toEqual([
      'run.started',
      'attempt.started',
      'session.started',
      'subprocess.spawned',
      'codex.thread.started',
      'codex.turn.started',
      'codex.item.completed',
      'codex.item.completed',
      'codex.turn.completed',
      'connector.codex_cli.turn.completed',
      'attempt.completed',
      'artifact.recorded',
      'run.completed',
    ]);
    const packet = await platform.reviewPacket(second.run.runId);
    expect(JSON.stringify(packet)).toContain(first.attempt.runtimeRefId!);

    expect(await durableRecordsText(platform)).not.toContain(TOKEN);
  });

  it('a failing CLI fails the run with subprocess_failed and the exit code', async () => {
    runtime = createSessionRuntime();
    platform = await createPlatform({ connectors: [connector()], secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' }, runtimes: { session: runtime } });
    const started = await platform.startInstall('codex_cli', 'tenant-a', { subject: 'dev', requestedScopes: ['session:execute'] });
    const { connection } = await platform.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'dev', secret: { access_token: TOKEN }, grantedScopes: ['session:execute'] });
    const error = await platform
      .invoke(CODEX_EXEC_SESSION, { prompt: 'exit:3' }, { connectionId: connection.connectionId, actorId: 'dev', tenantId: 'tenant-a', environment: 'prod' })
      .catch((e) => e);
    expect(error.code).toBe('subprocess_failed');
    expect(error.details).toMatchObject({ exitCode: 3 });
    expect(error.attempt?.status).toBe('failed');
    const events = await platform.events(error.run.runId);
    expect(events.map((e) => e.type).slice(-3)).toEqual(['attempt.failed', 'artifact.recorded', 'run.failed']);
  });
});
