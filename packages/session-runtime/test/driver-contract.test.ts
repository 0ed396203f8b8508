import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnownSecrets } from '@integration/contracts';
import { describe, expect, it } from 'vitest';
import { createBoundaryBridge, inProcessDriver, localBoundaryAdapter, scrubbedEnv, subprocessDriver, type Driver, type RunRequest } from '../src';
import { contextFor, fixture, isAlive, sessionCapability, waitFor } from './helpers';

function request(prompt: string, turn = 1, timeoutMs = 10_000): RunRequest {
  const context = contextFor();
  return { runId: context.runId, attemptId: context.attemptId, turn, prompt, input: { prompt }, cursor: null, lease: context.lease, secrets: KnownSecrets.none, timeoutMs, context };
}

async function open(driver: Driver, provider: string, options: Record<string, unknown>) {
  const cwd = await mkdtemp(join(tmpdir(), 'driver-contract-'));
  const handle = await driver.start({
    sessionId: 'sess_contract',
    capability: sessionCapability({ driver: driver.id, provider, options }),
    provider,
    options,
    cwd,
    env: scrubbedEnv(cwd),
    signal: new AbortController().signal,
  });
  return { handle, cleanup: () => rm(cwd, { recursive: true, force: true }) };
}

describe('harness driver contract: start, stream, cancel, status, stop', () => {
  it('subprocess: stream yields events while the CLI runs; cancel(runId) kills it; status follows', async () => {
    const driver = subprocessDriver({ killGraceMs: 500 });
    const { handle, cleanup } = await open(driver, 'codex', { command: process.execPath, args: [fixture('fake-codex.mjs')] });
    try {
      expect((await driver.status(handle)).state).toBe('ready');
      const req = request('hang');
      const stream = driver.stream(handle, req, new AbortController().signal);
      const seen: string[] = [];
      let pid = 0;
      for await (const event of stream) {
        seen.push(event.type);
        if (event.type === 'subprocess.spawned') pid = (event.payload as { pid: number }).pid;
        if (event.type === 'codex.turn.started') {
          // The turn is live: the harness sees events before the process ends.
          expect(await driver.status(handle)).toMatchObject({ state: 'running', activeRunId: req.runId });
          expect(isAlive(pid)).toBe(true);
          await driver.cancel(handle, req.runId);
        }
      }
      const result = await stream.result();
      expect(result.status).toBe('cancelled');
      expect(result.error?.code).toBe('runtime_cancelled');
      expect(seen).toEqual(['subprocess.spawned', 'codex.thread.started', 'codex.turn.started', 'subprocess.killed']);
      await waitFor(() => !isAlive(pid));
      expect((await driver.status(handle)).state).toBe('ready');

      // run = stream folded: a normal turn resumes the thread the cancelled turn started.
      const done = await driver.run(handle, request('next', 2), new AbortController().signal);
      expect(done).toMatchObject({ status: 'completed', output: { reply: 'turn 2: next' } });
      expect((await driver.status(handle)).turns).toBe(1);

      await driver.stop(handle);
      await driver.stop(handle);
      expect((await driver.status(handle)).state).toBe('stopped');
      const after = await driver.run(handle, request('x'), new AbortController().signal);
      expect(after.status === 'failed' && after.error?.code).toBe('session_failed');
    } finally {
      await cleanup();
    }
  });

  it('in-process: stream, cancel and stop behave the same', async () => {
    const driver = inProcessDriver({
      types: {
        waiter: {
          turn: (_s, _r, ctx) =>
            new Promise((resolve, reject) => {
              ctx.emit({ type: 'waiter.waiting' });
              ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
              void resolve;
            }),
        },
      },
    });
    const handle = await driver.start({ sessionId: 's1', capability: sessionCapability({ driver: 'in-process' }), provider: 'waiter', options: {}, cwd: null, env: {}, signal: new AbortController().signal });
    const req = request('x');
    const stream = driver.stream(handle, req, new AbortController().signal);
    for await (const event of stream) {
      expect(event.type).toBe('waiter.waiting');
      expect((await driver.status(handle)).state).toBe('running');
      await driver.cancel(handle, req.runId);
    }
    expect((await stream.result()).status).toBe('cancelled');
    await driver.stop(handle);
    expect((await driver.status(handle)).state).toBe('stopped');
  });
});

describe('boundary reopen', () => {
  it('reopen with the same id is idempotent and validated', async () => {
    const adapter = localBoundaryAdapter();
    const bridge = createBoundaryBridge({ adapter });
    const refs = { correlationId: 'c', requestId: 'r' };
    const first = await bridge.reopen({ boundarySessionId: 'bnd_re', backendKind: 'local', refs, checkpointId: 'ckpt_1' });
    const second = await bridge.reopen({ boundarySessionId: 'bnd_re', backendKind: 'local', refs });
    expect(second.attach.workingDirectory).toBe(first.attach.workingDirectory);
    await expect(bridge.reopen({ boundarySessionId: 'bnd_re', backendKind: 'local', refs, checkpointId: '' })).rejects.toMatchObject({ code: 'invalid_request' });
    await bridge.stop('bnd_re');
  });
});
