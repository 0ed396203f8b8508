import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectorError, ManualClock, type Capability } from '@integration/contracts';
import { errorChainTexts } from '@integration/contracts/testing';
import { createSessionRuntime, inProcessDriver, SessionCache, type SessionRuntime, type SessionType } from '../src';
import { contextFor, sessionCapability, types } from './helpers';

let runtime: SessionRuntime;
afterEach(async () => {
  await runtime?.close();
});

const echo = () => sessionCapability({ driver: 'in-process', provider: 'local_echo' });

describe('routing', () => {
  it('a capability without a driver fails with missing_runtime_driver and starts no session', async () => {
    runtime = createSessionRuntime();
    const capability: Capability = { ...echo(), runtime: null };
    const result = await runtime.execute(capability, { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('missing_runtime_driver');
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
    expect(result.runtimeRefId).toBeNull();
    expect(runtime.sessions()).toEqual([]);
  });

  it('an unknown driver fails with unknown_runtime_driver (prototype keys included)', async () => {
    runtime = createSessionRuntime();
    for (const driver of ['asm', '__proto__', 'constructor']) {
      const result = await runtime.execute(sessionCapability({ driver }), { prompt: 'x' }, contextFor());
      expect(result.status === 'failed' && result.error.code).toBe('unknown_runtime_driver');
      expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
    }
    expect(runtime.sessions()).toEqual([]);
  });

  it('targets never override routing: the authored driver, provider and options are used', async () => {
    const start = vi.fn();
    const turn: SessionType<null> = {
      async turn(_s, request) {
        return { output: { prompt: request.prompt } };
      },
    };
    runtime = createSessionRuntime({ drivers: { 'in-process': inProcessDriver({ types: { authored: turn } }) } });
    const original = runtime.harness.drivers['in-process']!.start;
    runtime.harness.drivers['in-process']!.start = async (req) => {
      start(req.provider, req.options);
      return original(req);
    };
    const context = contextFor();
    context.target = {
      targetId: 'tgt_1',
      capabilityId: 'demo.session.turn',
      runtimeClass: 'session',
      version: '1.0.0',
      health: 'healthy',
      features: { featureIds: ['in-process'], runspecVersions: [], eventSchemaVersions: [], driver: 'subprocess' },
      constraints: {},
      location: { mode: 'local', workspaceRoot: '/targets/one', driver: 'subprocess', provider: 'evil' },
      extensions: { runtime: { driver: 'subprocess', provider: 'evil', options: { command: '/bin/false' } } },
    };
    context.extensions = { runtime: { driver: 'subprocess' } };
    const result = await runtime.execute(sessionCapability({ driver: 'in-process', provider: 'authored', options: { a: 1 } }), { prompt: 'p' }, context);
    expect(result.status).toBe('completed');
    expect(start).toHaveBeenCalledWith('authored', { a: 1 });
    // The target's location does decide the workspace (a place, not a route).
    expect(result.status === 'completed' && result.output).toMatchObject({ workspace: '/targets/one' });
  });

  it('refuses capabilities of another runtime class', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute({ ...echo(), runtimeClass: 'stream' }, { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('unsupported_runtime_class');
  });
});

describe('in-process session kernel', () => {
  it('local_echo: two invokes share runtimeRefId and reply handled: <prompt>', async () => {
    runtime = createSessionRuntime();
    const a = await runtime.execute(echo(), { prompt: '  hello ' }, contextFor());
    const b = await runtime.execute(echo(), { prompt: 'again' }, contextFor());
    expect(a.status === 'completed' && a.output).toMatchObject({ reply: 'handled: hello', turn: 1, messageCount: 2 });
    expect(b.status === 'completed' && b.output).toMatchObject({ reply: 'handled: again', turn: 2, messageCount: 4 });
    expect(b.runtimeRefId).toBe(a.runtimeRefId);
    expect(types(a.events)).toEqual([
      'attempt.started',
      'session.started',
      'session.run_started',
      'session.assistant_message',
      'connector.demo.turn.completed',
      'attempt.completed',
    ]);
    expect(types(b.events)[1]).toBe('session.reused');
  });

  it('a session type carried by the capability runs when no host type is registered', async () => {
    runtime = createSessionRuntime();
    const sessionType: SessionType<{ n: number }> = {
      start: () => ({ n: 10 }),
      async turn(state) {
        return { output: { n: state.n + 1 }, state: { n: state.n + 1 } };
      },
    };
    const capability = sessionCapability({ driver: 'in-process', provider: 'carried', options: { sessionType } });
    await runtime.execute(capability, { prompt: 'x' }, contextFor());
    const second = await runtime.execute(capability, { prompt: 'x' }, contextFor());
    expect(second.status === 'completed' && second.output).toMatchObject({ n: 12 });
  });

  it('an unregistered session type fails the attempt', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(sessionCapability({ driver: 'in-process', provider: 'nope' }), { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('invalid_request');
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
  });

  it('a thrown ConnectorError fails the attempt with its code and evicts the session', async () => {
    let calls = 0;
    const flaky: SessionType<null> = {
      async turn() {
        calls += 1;
        if (calls === 2) throw new ConnectorError({ class: 'rate_limited', message: 'slow down', retryAfterMs: 500 });
        return { output: { calls } };
      },
    };
    runtime = createSessionRuntime({ drivers: { 'in-process': inProcessDriver({ types: { flaky } }) } });
    const capability = sessionCapability({ driver: 'in-process', provider: 'flaky' });
    const first = await runtime.execute(capability, { prompt: 'x' }, contextFor());
    const second = await runtime.execute(capability, { prompt: 'x' }, contextFor());
    expect(second.status === 'failed' && second.error).toMatchObject({ code: 'connector_rate_limited', retryable: true, retryAfterMs: 500 });
    expect(second.runtimeRefId).toBe(first.runtimeRefId);
    const third = await runtime.execute(capability, { prompt: 'x' }, contextFor());
    expect(third.runtimeRefId).not.toBe(first.runtimeRefId);
  });

  it('a turn that ignores its signal is still cut off by the timeout', async () => {
    const stuck: SessionType<null> = { turn: () => new Promise(() => {}) };
    runtime = createSessionRuntime({ drivers: { 'in-process': inProcessDriver({ types: { stuck } }) } });
    const result = await runtime.execute(sessionCapability({ driver: 'in-process', provider: 'stuck' }, { timeoutMs: 50 }), { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('runtime_timeout');
  });

  it('cancellation keeps the session (a cancelled turn is not a failed session)', async () => {
    const slow: SessionType<null> = {
      turn: (_s, _r, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    runtime = createSessionRuntime({ drivers: { 'in-process': inProcessDriver({ types: { slow, local_echo: undefined as never } }) } });
    const controller = new AbortController();
    const pending = runtime.execute(sessionCapability({ driver: 'in-process', provider: 'slow' }), { prompt: 'x' }, contextFor({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const result = await pending;
    expect(result.status === 'failed' && result.error.code).toBe('runtime_cancelled');
    expect(runtime.sessions()).toHaveLength(1);
  });

  it('returns the output exactly and redacts lease secrets from events, artifacts and errors', async () => {
    const leaky: SessionType<null> = {
      async turn(_s, request) {
        const token = request.lease.payload.access_token!;
        if (request.prompt === 'fail') throw new Error(`failed with ${token}`, { cause: new AggregateError([new Error(`inner ${token}`)], `retried ${token}`) });
        return { output: { leaked: `token=${token}` } };
      },
    };
    runtime = createSessionRuntime({ drivers: { 'in-process': inProcessDriver({ types: { leaky } }) } });
    const capability = sessionCapability({ driver: 'in-process', provider: 'leaky' });
    const ok = await runtime.execute(capability, { prompt: 'ok' }, contextFor({ token: 'tok-secret-123456' }));
    const bad = await runtime.execute(capability, { prompt: 'fail' }, contextFor({ token: 'tok-secret-123456' }));
    expect(ok.status === 'completed' && ok.output).toMatchObject({ leaked: 'token=tok-secret-123456' });
    expect(JSON.stringify({ events: ok.events, artifacts: ok.artifacts })).not.toContain('tok-secret-123456');
    expect(bad.status === 'failed' && bad.error.message).toBe('failed with [REDACTED]');
    const chain = errorChainTexts(bad.status === 'failed' ? bad.error : null);
    expect(chain).toEqual(expect.arrayContaining(['retried [REDACTED]', 'inner [REDACTED]']));
    expect(chain.join('\n')).not.toContain('tok-secret-123456');
    expect(JSON.stringify(bad.events)).not.toContain('tok-secret-123456');
  });
});

describe('session cache', () => {
  it('reuse is keyed by capability, connection, target, provider and workspace — never the lease', async () => {
    runtime = createSessionRuntime();
    const a = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ token: 'lease-one-aaaaaa' }));
    const sameConnNewLease = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ token: 'lease-two-bbbbbb' }));
    const otherWorkspace = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ sandbox: { fileScope: '/workspaces/other' } }));
    expect(sameConnNewLease.runtimeRefId).toBe(a.runtimeRefId);
    expect(otherWorkspace.runtimeRefId).not.toBe(a.runtimeRefId);
    expect(runtime.sessions()).toHaveLength(2);
  });

  it('idle sessions expire after ttlMs (on the injected clock)', async () => {
    const clock = new ManualClock();
    runtime = createSessionRuntime({ clock, cache: { ttlMs: 1_000, maxSessions: 10 } });
    const a = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ clock }));
    clock.advance(999);
    const b = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ clock }));
    clock.advance(1_000);
    const c = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ clock }));
    expect(b.runtimeRefId).toBe(a.runtimeRefId);
    expect(c.runtimeRefId).not.toBe(a.runtimeRefId);
    expect(c.status === 'completed' && c.output).toMatchObject({ turn: 1 });
  });

  it('is bounded: the least recently used session is stopped', async () => {
    runtime = createSessionRuntime({ cache: { maxSessions: 2 } });
    const conn1 = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ connectionId: 'c1' }));
    await runtime.execute(echo(), { prompt: 'x' }, contextFor({ connectionId: 'c2' }));
    await runtime.execute(echo(), { prompt: 'x' }, contextFor({ connectionId: 'c1' }));
    await runtime.execute(echo(), { prompt: 'x' }, contextFor({ connectionId: 'c3' }));
    expect(runtime.sessions()).toHaveLength(2);
    const again = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ connectionId: 'c1' }));
    expect(again.runtimeRefId).toBe(conn1.runtimeRefId);
    const c2 = await runtime.execute(echo(), { prompt: 'x' }, contextFor({ connectionId: 'c2' }));
    expect(c2.status === 'completed' && c2.output).toMatchObject({ turn: 1 });
  });

  it('concurrent invokes on one session run one turn at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const serial: SessionType<null> = {
      async turn() {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 10));
        active -= 1;
        return { output: {} };
      },
    };
    runtime = createSessionRuntime({ drivers: { 'in-process': inProcessDriver({ types: { serial } }) } });
    const capability = sessionCapability({ driver: 'in-process', provider: 'serial' });
    const results = await Promise.all(Array.from({ length: 5 }, () => runtime.execute(capability, { prompt: 'x' }, contextFor())));
    expect(maxActive).toBe(1);
    expect(results.map((r) => r.status === 'completed' && (r.output as { turn: number }).turn).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(results.map((r) => r.runtimeRefId)).size).toBe(1);
  });

  it('SessionCache validates its bounds', () => {
    const clock = new ManualClock();
    expect(() => new SessionCache({ ttlMs: 0 }, clock, async () => {})).toThrowError(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => new SessionCache({ maxSessions: 0 }, clock, async () => {})).toThrowError(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it('bad runtime options are typed invalid_argument errors', () => {
    for (const bad of [
      { cache: { ttlMs: -1 } },
      { cache: { maxSessions: 1.5 } },
      { cache: { ttl: 5 } },
      { drivers: { x: { id: 'x' } } },
      { boundary: { readinessTimeoutMs: 0 } },
      { clock: {} },
      { artifactPayloads: 'nope' },
    ]) {
      expect(() => createSessionRuntime(bad as never)).toThrowError(expect.objectContaining({ code: 'invalid_argument' }));
    }
    expect(() => createSessionRuntime(undefined)).not.toThrow();
  });
});

describe('busy sessions', () => {
  it('capacity eviction never stops a session in the middle of a turn', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: SessionType<null> = {
      async turn(_s, request) {
        if (request.prompt === 'slow') await gate;
        return { output: { prompt: request.prompt } };
      },
    };
    runtime = createSessionRuntime({ cache: { maxSessions: 1 }, drivers: { 'in-process': inProcessDriver({ types: { slow } }) } });
    const capability = sessionCapability({ driver: 'in-process', provider: 'slow' });
    const pending = runtime.execute(capability, { prompt: 'slow' }, contextFor({ connectionId: 'c1' }));
    await new Promise((r) => setTimeout(r, 10));
    const other = await runtime.execute(capability, { prompt: 'fast' }, contextFor({ connectionId: 'c2' }));
    expect(other.status).toBe('completed');
    release();
    const slowResult = await pending;
    expect(slowResult.status).toBe('completed');
  });
});
