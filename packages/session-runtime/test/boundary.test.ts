import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createBoundaryBridge,
  createSessionRuntime,
  localBoundaryAdapter,
  parseDescriptor,
  scrubbedEnv,
  type BoundaryAdapter,
  type SessionRuntime,
} from '../src';
import { contextFor, fixture, sessionCapability, types } from './helpers';

const refs = { correlationId: 'run_1', requestId: 'run_1:1' };
const request = (id = 'bnd_1') => ({ boundarySessionId: id, backendKind: 'local', refs });

/** A scriptable kernel: records calls, answers with descriptors built by `shape`. */
function fakeAdapter(shape: (op: string, id: string) => Record<string, unknown>, opts: { failStop?: boolean } = {}) {
  const calls: string[] = [];
  const adapter: BoundaryAdapter = {
    name: 'fake',
    async allocate(req) {
      calls.push(`allocate:${req.boundarySessionId}`);
      return shape('allocate', req.boundarySessionId);
    },
    async reopen(req) {
      calls.push(`reopen:${req.boundarySessionId}`);
      return shape('reopen', req.boundarySessionId);
    },
    async fetchStatus(id) {
      calls.push(`status:${id}`);
      return shape('status', id);
    },
    async claim(id) {
      calls.push(`claim:${id}`);
      return shape('claim', id);
    },
    async heartbeat(id) {
      calls.push(`heartbeat:${id}`);
      return shape('heartbeat', id);
    },
    async stop(id) {
      calls.push(`stop:${id}`);
      if (opts.failStop) throw new Error('kernel gone');
    },
  };
  return { adapter, calls };
}

const descriptor = (id: string, over: Record<string, unknown> = {}) => ({
  descriptorVersion: 1,
  boundarySessionId: id,
  backendKind: 'fake',
  status: 'ready',
  attachReady: true,
  attach: { mode: 'attachable', executionSurface: { surfaceKind: 'local_process', environment: { PATH: '/usr/bin' } }, workingDirectory: '/tmp' },
  refs,
  ...over,
});

let runtime: SessionRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

describe('boundary bridge', () => {
  it('refuses descriptor version 2 with invalid_descriptor', () => {
    expect(() => parseDescriptor(descriptor('b', { descriptorVersion: 2 }), refs)).toThrowError(expect.objectContaining({ code: 'invalid_descriptor', retryable: false }));
    expect(() => parseDescriptor({ ...descriptor('b'), descriptorVersion: undefined })).toThrowError(expect.objectContaining({ code: 'invalid_descriptor' }));
  });

  it('checks descriptor invariants', () => {
    expect(() => parseDescriptor(descriptor('b', { attach: { mode: 'not_applicable', executionSurface: { surfaceKind: 'x' } } }))).toThrowError(
      expect.objectContaining({ code: 'invalid_descriptor' }),
    );
    expect(() => parseDescriptor(descriptor('b', { attach: { mode: 'attachable' }, attachReady: true }))).toThrowError(expect.objectContaining({ code: 'invalid_descriptor' }));
    expect(() => parseDescriptor(descriptor('b', { extensions: { 'jido.boundary_bridge.tracing': { traceparent: 'nope' } } }))).toThrowError(
      expect.objectContaining({ code: 'invalid_descriptor' }),
    );
    const ok = parseDescriptor(descriptor('b', { extensions: { 'vendor.other': { anything: 1 } } }));
    expect(ok.extensions).toEqual({ 'vendor.other': { anything: 1 } });
  });

  it('polls readiness until the kernel reports ready', async () => {
    let polls = 0;
    const { adapter, calls } = fakeAdapter((op, id) => {
      if (op === 'status') polls += 1;
      const ready = op === 'status' && polls >= 3;
      return descriptor(id, ready ? {} : { status: 'starting', attachReady: false });
    });
    const bridge = createBoundaryBridge({ adapter, pollIntervalMs: 5 });
    const ready = await bridge.allocate(request());
    expect(ready.attachReady).toBe(true);
    expect(calls.filter((c) => c.startsWith('status'))).toHaveLength(3);
    expect(bridge.projectAttachMetadata(ready)).toMatchObject({ boundarySessionId: 'bnd_1', workingDirectory: '/tmp' });
  });

  it('a readiness timeout stops the boundary and is retryable (cleaned_up / unknown)', async () => {
    for (const failStop of [false, true]) {
      const { adapter, calls } = fakeAdapter((_op, id) => descriptor(id, { status: 'starting', attachReady: false }), { failStop });
      const bridge = createBoundaryBridge({ adapter, pollIntervalMs: 5 });
      const error = await bridge.allocate({ ...request(), readinessTimeoutMs: 60 }).catch((e) => e);
      expect(error).toMatchObject({ code: 'runtime_timeout', retryable: true });
      expect(error.details).toMatchObject({ boundaryClass: 'timeout', reason: 'boundary_readiness_timeout', cleanupOutcome: failStop ? 'unknown' : 'cleaned_up', correlationId: 'run_1' });
      expect(calls.at(-1)).toBe('stop:bnd_1');
    }
  });

  it('attach metadata: not_applicable → null, not ready → retryable resource_unavailable', () => {
    const bridge = createBoundaryBridge({ adapter: fakeAdapter((_o, id) => descriptor(id)).adapter });
    expect(bridge.projectAttachMetadata(parseDescriptor(descriptor('b', { attachReady: false, attach: { mode: 'not_applicable' } })))).toBeNull();
    let error: unknown;
    try {
      bridge.projectAttachMetadata(parseDescriptor(descriptor('b', { status: 'starting', attachReady: false })));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'boundary_failed', retryable: true, details: { reason: 'boundary_attach_not_ready', boundaryClass: 'resource_unavailable' } });
  });

  it('normalizes adapter failures by category and keeps retryability', async () => {
    const bridge = createBoundaryBridge({
      adapter: {
        ...fakeAdapter((_o, id) => descriptor(id)).adapter,
        async claim() {
          throw Object.assign(new Error('kernel busy'), { category: 'unavailable' });
        },
        async heartbeat() {
          throw new TypeError('bad argument');
        },
      },
    });
    const ready = await bridge.allocate(request());
    await expect(bridge.claim(ready, { runtimeOwner: 'x', runtimeRef: 'y' })).rejects.toMatchObject({ code: 'boundary_failed', retryable: true, details: { boundaryClass: 'resource_unavailable' } });
    await expect(bridge.heartbeat(ready)).rejects.toMatchObject({ code: 'invalid_request', retryable: false, details: { boundaryClass: 'invalid_request' } });
  });

  it('rejects invalid requests before calling the kernel', async () => {
    const { adapter, calls } = fakeAdapter((_o, id) => descriptor(id));
    const bridge = createBoundaryBridge({ adapter });
    await expect(bridge.allocate({ boundarySessionId: '', backendKind: 'x', refs } as never)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(bridge.allocate({ ...request(), readinessTimeoutMs: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(calls).toEqual([]);
  });
});

describe('local boundary adapter', () => {
  it('gives each session its own working directory and a scrubbed environment; stop removes it', async () => {
    const adapter = localBoundaryAdapter({ hostEnv: { PATH: '/bin', SECRET_TOKEN: 'nope', LANG: 'C.UTF-8' } });
    const bridge = createBoundaryBridge({ adapter });
    const a = await bridge.allocate(request('bnd_a'));
    const again = await bridge.allocate(request('bnd_a'));
    const b = await bridge.allocate(request('bnd_b'));
    const dirA = a.attach.workingDirectory!;
    expect(again.attach.workingDirectory).toBe(dirA);
    expect(b.attach.workingDirectory).not.toBe(dirA);
    expect(statSync(dirA).isDirectory()).toBe(true);
    expect(a.attach.executionSurface!.environment).toEqual({ PATH: '/bin', LANG: 'C.UTF-8', HOME: dirA, TMPDIR: dirA });
    const claimed = await bridge.claim(a, { runtimeOwner: 'subprocess', runtimeRef: 'sess_1' });
    expect(claimed).toMatchObject({ runtimeOwner: 'subprocess', refs: { runtimeRef: 'sess_1' } });
    await bridge.heartbeat(a);
    await bridge.heartbeat(a);
    await bridge.stop(a);
    await bridge.stop(a);
    expect(existsSync(dirA)).toBe(false);
    await bridge.stop(b);
    expect(adapter.sessions()).toEqual([]);
  });

  it('scrubbedEnv never copies variables outside the allowlist', () => {
    const env = scrubbedEnv('/w', { hostEnv: { PATH: '/p', AWS_SECRET_ACCESS_KEY: 'x', GITHUB_TOKEN: 'y' } });
    expect(env).toEqual({ PATH: '/p', HOME: '/w', TMPDIR: '/w' });
  });
});

describe('boundary inside the session runtime', () => {
  const capability = () => sessionCapability({ driver: 'subprocess', provider: 'jsonl', options: { command: process.execPath, args: [fixture('fake-jsonl.mjs')] } });

  it('descriptor version 2 is refused before a session exists', async () => {
    const { adapter, calls } = fakeAdapter((_o, id) => descriptor(id, { descriptorVersion: 2 }));
    const start = vi.fn();
    runtime = createSessionRuntime({ boundary: { adapter } });
    const driver = runtime.harness.drivers.subprocess!;
    const original = driver.start.bind(driver);
    driver.start = async (req) => {
      start();
      return original(req);
    };
    const result = await runtime.execute(capability(), { prompt: 'x' }, contextFor());
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.code).toBe('invalid_descriptor');
    expect(result.error.details).toMatchObject({ descriptorVersion: 2, supportedVersions: [1] });
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
    expect(result.runtimeRefId).toBeNull();
    expect(start).not.toHaveBeenCalled();
    expect(runtime.sessions()).toEqual([]);
    expect(calls.some((c) => c.startsWith('claim'))).toBe(false);
    expect(calls.at(-1)).toMatch(/^stop:bnd_sess_/);
  });

  it('version 2 on claim is refused too (second layer) and the boundary is stopped', async () => {
    const { adapter, calls } = fakeAdapter((op, id) => descriptor(id, op === 'claim' ? { descriptorVersion: 2 } : {}));
    runtime = createSessionRuntime({ boundary: { adapter } });
    const result = await runtime.execute(capability(), { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('invalid_descriptor');
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
    expect(calls.at(-1)).toMatch(/^stop:/);
  });

  it('a readiness timeout stops the boundary and fails the attempt without a session', async () => {
    const { adapter, calls } = fakeAdapter((_o, id) => descriptor(id, { status: 'starting', attachReady: false }));
    runtime = createSessionRuntime({ boundary: { adapter, readinessTimeoutMs: 80, pollIntervalMs: 10 } });
    const result = await runtime.execute(capability(), { prompt: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error).toMatchObject({ code: 'runtime_timeout', retryable: true, details: { cleanupOutcome: 'cleaned_up' } });
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
    expect(calls.filter((c) => c.startsWith('stop'))).not.toHaveLength(0);
    expect(runtime.sessions()).toEqual([]);
  });

  it('stopping a session removes its boundary working directory', async () => {
    runtime = createSessionRuntime();
    const result = await runtime.execute(capability(), { prompt: 'x' }, contextFor());
    expect(result.status).toBe('completed');
    const dir = runtime.sessions()[0]!.workingDirectory!;
    expect(existsSync(dir)).toBe(true);
    await runtime.evict(result.runtimeRefId!);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('heartbeat on reuse', () => {
  it('a reused session whose boundary died is replaced by a new session', async () => {
    const adapter = localBoundaryAdapter();
    runtime = createSessionRuntime({ boundary: { adapter } });
    const capability = sessionCapability({ driver: 'subprocess', provider: 'jsonl', options: { command: process.execPath, args: [fixture('fake-jsonl.mjs')] } });
    const first = await runtime.execute(capability, { prompt: 'a' }, contextFor());
    const reused = await runtime.execute(capability, { prompt: 'b' }, contextFor());
    expect(reused.runtimeRefId).toBe(first.runtimeRefId);
    // The kernel loses the boundary behind the runtime's back.
    for (const id of adapter.sessions()) await adapter.stop(id);
    const replaced = await runtime.execute(capability, { prompt: 'c' }, contextFor());
    expect(replaced.status).toBe('completed');
    expect(replaced.runtimeRefId).not.toBe(first.runtimeRefId);
    expect(types(replaced.events)[1]).toBe('session.started');
    expect(replaced.status === 'completed' && replaced.output).toMatchObject({ count: 1 });
  });
});

describe('without a boundary', () => {
  it('boundary: false still runs the CLI with a minimal environment, never the host secrets', async () => {
    process.env.INTEGRATION_HOST_CANARY = 'host-secret-1234567';
    try {
      runtime = createSessionRuntime({ boundary: false });
      const capability = sessionCapability({ driver: 'subprocess', provider: 'shell', options: { script: 'env' } });
      const result = await runtime.execute(capability, { prompt: '' }, contextFor());
      expect(result.status).toBe('completed');
      const stdout = (result.status === 'completed' && (result.output as { stdout: string }).stdout) || '';
      expect(stdout).toContain('PATH=');
      expect(stdout).not.toContain('INTEGRATION_HOST_CANARY');
      expect(runtime.sessions()[0]!.workingDirectory).toBeNull();
    } finally {
      delete process.env.INTEGRATION_HOST_CANARY;
    }
  });
});
