import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionRuntime, memoryArtifactPayloads, subprocessDriver, type SessionRuntime } from '../src';
import { CANARY, contextFor, fixture, isAlive, sessionCapability, types, waitFor } from './helpers';

const codex = (extra: { timeoutMs?: number } = {}) =>
  sessionCapability({ driver: 'subprocess', provider: 'codex', options: { command: process.execPath, args: [fixture('fake-codex.mjs')] } }, extra);
const jsonl = (options: Record<string, unknown> = {}) =>
  sessionCapability({ driver: 'subprocess', provider: 'jsonl', options: { command: process.execPath, args: [fixture('fake-jsonl.mjs')], ...options } });

let runtime: SessionRuntime;
afterEach(async () => {
  await runtime?.close();
});

describe('subprocess driver, codex profile', () => {
  it('runs turns of one session: the second invoke resumes the thread and shares runtimeRefId', async () => {
    runtime = createSessionRuntime();
    const capability = codex();
    const first = await runtime.execute(capability, { prompt: 'Hello There' }, contextFor());
    expect(first.status).toBe('completed');
    const second = await runtime.execute(capability, { prompt: 'Again' }, contextFor());
    expect(second.status).toBe('completed');
    if (first.status !== 'completed' || second.status !== 'completed') return;
    expect(first.runtimeRefId).toMatch(/^sess_/);
    expect(second.runtimeRefId).toBe(first.runtimeRefId);
    expect(first.output).toMatchObject({ reply: 'turn 1: hello there', turn: 1, sessionId: first.runtimeRefId, workspace: '/workspaces/demo', approvalMode: 'manual' });
    // The fixture's own thread file counts turns: "turn 2" proves `exec resume <thread id>` was used.
    expect(second.output).toMatchObject({ reply: 'turn 2: again', turn: 2 });
    const threadOf = (r: typeof first) => r.events.find((e) => e.type === 'codex.thread.started')?.payload as { threadId: string };
    expect(threadOf(second).threadId).toBe(threadOf(first).threadId);
    expect((first.output as { authBinding: string }).authBinding).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(types(first.events)).toEqual([
      'attempt.started',
      'session.started',
      'subprocess.spawned',
      'codex.thread.started',
      'codex.turn.started',
      'codex.item.completed',
      'codex.item.completed',
      'codex.turn.completed',
      'connector.demo.turn.completed',
      'attempt.completed',
    ]);
    expect(types(second.events)[1]).toBe('session.reused');
    expect(first.events.filter((e) => e.type !== 'attempt.started').every((e) => e.runtimeRefId === first.runtimeRefId)).toBe(true);
    expect(first.artifacts).toHaveLength(1);
    expect(first.artifacts[0]!.artifactType).toBe('event_log');
    expect(runtime.sessions()).toHaveLength(1);
  });

  it('keys sessions by connection: another connection gets another session', async () => {
    runtime = createSessionRuntime();
    const capability = codex();
    const a = await runtime.execute(capability, { prompt: 'one' }, contextFor({ connectionId: 'conn_a' }));
    const b = await runtime.execute(capability, { prompt: 'two' }, contextFor({ connectionId: 'conn_b' }));
    expect(a.runtimeRefId).not.toBe(b.runtimeRefId);
    expect(b.status === 'completed' && b.output).toMatchObject({ turn: 1, reply: 'turn 1: two' });
  });

  it('cancellation kills the CLI and its process group', async () => {
    runtime = createSessionRuntime();
    const controller = new AbortController();
    const pending = runtime.execute(codex(), { prompt: 'hang' }, contextFor({ signal: controller.signal }));
    const workdir = await waitFor(() => runtime.sessions()[0]?.workingDirectory);
    // Files can be seen before their content is written: wait for both numbers.
    const readPid = (name: string) => (existsSync(join(workdir, name)) ? Number(readFileSync(join(workdir, name), 'utf8')) || 0 : 0);
    const [pid, grandchild] = await waitFor(() => (readPid('codex.pid') > 0 && readPid('grandchild.pid') > 0 ? [readPid('codex.pid'), readPid('grandchild.pid')] : null));
    expect(isAlive(pid)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);
    controller.abort();
    const result = await pending;
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.code).toBe('runtime_cancelled');
    expect(types(result.events)).toContain('subprocess.killed');
    expect(types(result.events).at(-1)).toBe('attempt.failed');
    await waitFor(() => !isAlive(pid) && !isAlive(grandchild));
  });

  it('a non-zero exit fails the attempt with the exit code and evicts the session', async () => {
    runtime = createSessionRuntime();
    const capability = codex();
    const ok = await runtime.execute(capability, { prompt: 'first' }, contextFor());
    const result = await runtime.execute(capability, { prompt: 'exit:42' }, contextFor());
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.code).toBe('subprocess_failed');
    expect(result.error.details).toMatchObject({ exitCode: 42 });
    expect(result.error.message).toContain('42');
    expect(result.runtimeRefId).toBe(ok.runtimeRefId);
    expect(runtime.sessions()).toHaveLength(0);
    const next = await runtime.execute(capability, { prompt: 'fresh' }, contextFor());
    expect(next.runtimeRefId).not.toBe(ok.runtimeRefId);
    expect(next.status === 'completed' && next.output).toMatchObject({ turn: 1 });
  });

  it('a hung CLI times out and is killed', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(codex({ timeoutMs: 600 }), { prompt: 'hang' }, contextFor());
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.code).toBe('runtime_timeout');
    expect(result.error.retryable).toBe(true);
    const spawned = result.events.find((e) => e.type === 'subprocess.spawned');
    const pid = (spawned?.payload as { pid: number }).pid;
    await waitFor(() => !isAlive(pid));
  });

  it('malformed JSONL is a typed error and the process is stopped at once', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(codex(), { prompt: 'garbage' }, contextFor());
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.code).toBe('malformed_output');
    expect(result.error.details).toMatchObject({ lineNumber: 2, reason: 'invalid_json' });
    expect(result.error.message).not.toContain('this is not json');
  });

  it('a turn.failed event fails the attempt (session_failed)', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(codex(), { prompt: 'fail-turn' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('session_failed');
  });

  it('a missing CLI is subprocess_failed, not a crash', async () => {
    runtime = createSessionRuntime();
    const capability = sessionCapability({ driver: 'subprocess', provider: 'codex', options: { command: '/nonexistent/codex' } });
    const result = await runtime.execute(capability, { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('subprocess_failed');
    expect(result.status === 'failed' && result.error.details).toMatchObject({ spawnError: 'ENOENT' });
  });

  it('the lease reaches the CLI only through its environment; its echoes stay out of events and artifacts', async () => {
    process.env.INTEGRATION_PARENT_CANARY = 'parent-secret-7a7a7a7a';
    try {
      const payloads = memoryArtifactPayloads();
      runtime = createSessionRuntime({ artifactPayloads: payloads });
      const result = await runtime.execute(codex(), { prompt: 'env' }, contextFor());
      expect(result.status).toBe('completed');
      if (result.status !== 'completed') return;
      const reply = (result.output as { reply: string }).reply;
      // The reply is the CLI's output: the caller gets it unchanged, echoed key included.
      expect(reply).toContain(`"CODEX_API_KEY":"${CANARY}"`);
      expect(reply).toContain(`"OPENAI_API_KEY":"${CANARY}"`);
      expect(reply).not.toContain('INTEGRATION_PARENT_CANARY');
      expect(reply).toMatch(/"HOME":"[^"]*boundary-/);
      expect(JSON.stringify({ events: result.events, artifacts: result.artifacts })).not.toContain(CANARY);
      for (const key of payloads.keys()) {
        const bytes = await payloads.get(key);
        expect(new TextDecoder().decode(bytes!)).not.toContain(CANARY);
      }
      // argv never carried it either: the fixture echoes argv inside the reply.
      expect(reply).toContain('argv');
    } finally {
      delete process.env.INTEGRATION_PARENT_CANARY;
    }
  });
});

describe('subprocess driver, generic JSONL profile', () => {
  it('keeps session state between turns', async () => {
    runtime = createSessionRuntime();
    const capability = jsonl();
    const first = await runtime.execute(capability, { prompt: 'a' }, contextFor());
    const second = await runtime.execute(capability, { prompt: 'b' }, contextFor());
    expect(first.status === 'completed' && first.output).toMatchObject({ echo: 'a', count: 1, turn: 1 });
    expect(second.status === 'completed' && second.output).toMatchObject({ echo: 'b', count: 2, turn: 2 });
    expect(types(first.events)).toEqual(['attempt.started', 'session.started', 'subprocess.spawned', 'progress', 'connector.demo.turn.completed', 'attempt.completed']);
    expect(first.events.find((e) => e.type === 'progress')?.stream).toBe('stdout');
  });

  it.each([
    ['malformed', 'invalid_json'],
    ['untyped', 'missing_type'],
    ['no-result', 'no_result'],
  ])('%s output is malformed_output (%s)', async (prompt, reason) => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(jsonl(), { prompt }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('malformed_output');
    expect(result.status === 'failed' && result.error.details).toMatchObject({ reason });
  });

  it('an in-band error fails the attempt with its retryability', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(jsonl(), { prompt: 'error' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('session_failed');
    expect(result.status === 'failed' && result.error.retryable).toBe(true);
  });

  it('maps lease fields to authored variables; echoes reach the output unchanged and the events redacted', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(jsonl({ leaseEnv: { access_token: 'SERVICE_TOKEN' } }), { prompt: 'token' }, contextFor());
    expect(result.status).toBe('completed');
    expect(result.status === 'completed' && result.output).toMatchObject({ echoed: CANARY });
    expect(JSON.stringify(result.events)).not.toContain(CANARY);
    expect(JSON.stringify(result.events)).toContain('token is [REDACTED]');
  });
});

describe('subprocess driver, shell profile', () => {
  it('runs the authored script with the input in INTEGRATION_INPUT', async () => {
    runtime = createSessionRuntime();
    const capability = sessionCapability({ driver: 'subprocess', provider: 'shell', options: { script: 'echo "input=$INTEGRATION_INPUT"; cat; echo' } });
    const result = await runtime.execute(capability, { prompt: 'from stdin' }, contextFor());
    expect(result.status === 'completed' && result.output).toMatchObject({ stdout: 'input={"prompt":"from stdin"}\nfrom stdin', lines: 2 });
  });

  it('refuses to run without an authored script', async () => {
    runtime = createSessionRuntime();
    const capability = sessionCapability({ driver: 'subprocess', provider: 'shell' });
    const result = await runtime.execute(capability, { prompt: 'rm -rf /' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('invalid_request');
  });
});

describe('process hygiene', () => {
  it('background processes a turn leaves behind are killed with its process group', async () => {
    runtime = createSessionRuntime();
    const capability = sessionCapability({
      driver: 'subprocess',
      provider: 'shell',
      options: { script: `${JSON.stringify(process.execPath)} -e "setInterval(() => {}, 1000)" >/dev/null 2>&1 & echo $!` },
    });
    const result = await runtime.execute(capability, { prompt: '' }, contextFor());
    expect(result.status).toBe('completed');
    const pid = Number((result.status === 'completed' && (result.output as { stdout: string }).stdout) || 0);
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !isAlive(pid));
  });
});

describe('limits', () => {
  it('a chatty CLI cannot flood the ledger: events beyond maxEventsPerTurn are counted, not kept', async () => {
    runtime = createSessionRuntime({ drivers: { subprocess: subprocessDriver({ maxEventsPerTurn: 10 }) } });
    const capability = sessionCapability({ driver: 'subprocess', provider: 'shell', options: { script: 'i=0; while [ $i -lt 50 ]; do echo line$i; i=$((i+1)); done' } });
    const result = await runtime.execute(capability, { prompt: '' }, contextFor());
    expect(result.status === 'completed' && result.output).toMatchObject({ lines: 50 });
    expect(result.events.filter((e) => e.type === 'shell.stdout')).toHaveLength(9);
    expect(result.events.find((e) => e.type === 'subprocess.events_truncated')?.payload).toEqual({ kept: 10, dropped: 41 });
  });

  it('an attempt cancelled before it starts opens no session', async () => {
    runtime = createSessionRuntime();
    const controller = new AbortController();
    controller.abort();
    const result = await runtime.execute(codex(), { prompt: 'x' }, contextFor({ signal: controller.signal }));
    expect(result.status === 'failed' && result.error.code).toBe('runtime_cancelled');
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
    expect(runtime.sessions()).toEqual([]);
  });
});

describe('shutdown', () => {
  it('close() returns only after a running turn and its process group are gone', async () => {
    runtime = createSessionRuntime();
    const pending = runtime.execute(codex(), { prompt: 'hang' }, contextFor());
    const workdir = await waitFor(() => runtime.sessions()[0]?.workingDirectory);
    const readPid = (name: string) => (existsSync(join(workdir, name)) ? Number(readFileSync(join(workdir, name), 'utf8')) || 0 : 0);
    const [pid, grandchild] = await waitFor(() => (readPid('codex.pid') > 0 && readPid('grandchild.pid') > 0 ? [readPid('codex.pid'), readPid('grandchild.pid')] : null));
    await runtime.close();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(workdir)).toBe(false);
    const result = await pending;
    expect(result.status === 'failed' && result.error.code).toBe('runtime_cancelled');
    await waitFor(() => !isAlive(grandchild));
  });
});

describe('kill escalation', () => {
  it('a CLI that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    runtime = createSessionRuntime({ drivers: { subprocess: subprocessDriver({ killGraceMs: 200 }) } });
    const capability = sessionCapability(
      { driver: 'subprocess', provider: 'shell', options: { script: "trap '' TERM; echo $$; while :; do sleep 0.1; done" } },
      { timeoutMs: 300 },
    );
    const result = await runtime.execute(capability, { prompt: '' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('runtime_timeout');
    const line = result.events.find((e) => e.type === 'shell.stdout')?.payload as { line: string };
    const pid = Number(line.line);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });
});
