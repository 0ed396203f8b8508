import { describe, expect, it } from 'vitest';
import { ExecutionError, type IntegrationError } from '@integration/contracts';
import { createDirectRuntime } from '../src';
import { capabilityFor, contextFor, types } from './fixtures';

const runtime = createDirectRuntime();
const never = () => new Promise<never>(() => {});

describe('direct runtime: timeout', () => {
  it('cuts off a handler that ignores the signal with runtime_timeout (retryable)', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      ctx.emit({ type: 'connector.test.waiting' });
      return never();
    });
    const result = await runtime.execute(capability, {}, contextFor({ timeoutMs: 30 }));
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error).toBeInstanceOf(ExecutionError);
    expect(result.error).toMatchObject({ code: 'runtime_timeout', retryable: true, details: { timeoutMs: 30 } });
    expect(types(result.events)).toEqual(['attempt.started', 'connector.test.waiting', 'attempt.failed']);
    expect(result.events[2]!.payload).toMatchObject({ error: { code: 'runtime_timeout', retryable: true } });
  });

  it('aborts the handler signal with the typed timeout error as reason', async () => {
    let reason: unknown;
    const capability = capabilityFor(
      (_input, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(new Error('aborted by signal'));
          });
        }),
    );
    const result = await runtime.execute(capability, {}, contextFor({ timeoutMs: 20 }));
    expect(result.status === 'failed' && result.error.code).toBe('runtime_timeout');
    expect((reason as IntegrationError).code).toBe('runtime_timeout');
  });

  it('maps a handler that rethrows a DOMException AbortError after the timeout to runtime_timeout', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ctx.signal.throwIfAborted();
      return 'late';
    });
    const result = await runtime.execute(capability, {}, contextFor({ timeoutMs: 10 }));
    expect(result.status === 'failed' && result.error.code).toBe('runtime_timeout');
  });

  it('does not time out a handler that finishes in time', async () => {
    const capability = capabilityFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'fast';
    });
    const result = await runtime.execute(capability, {}, contextFor({ timeoutMs: 2_000 }));
    expect(result).toMatchObject({ status: 'completed', output: 'fast' });
  });

  it('clamps timeouts beyond the setTimeout range instead of firing at once', async () => {
    const capability = capabilityFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor({ timeoutMs: 2 ** 40 }));
    expect(result.status).toBe('completed');
  });
});

describe('direct runtime: caller cancellation', () => {
  it('fails with runtime_cancelled when the caller aborts mid-flight', async () => {
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const capability = capabilityFor(async () => {
      started();
      return never();
    });
    const pending = runtime.execute(capability, {}, contextFor({ signal: controller.signal, timeoutMs: 10_000 }));
    await running;
    controller.abort(new Error('user pressed stop'));
    const result = await pending;
    expect(result.status === 'failed' && result.error).toMatchObject({ code: 'runtime_cancelled', retryable: false });
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
  });

  it('does not call the handler when the caller signal is already aborted', async () => {
    let called = false;
    const capability = capabilityFor(async () => {
      called = true;
      return 'no';
    });
    const controller = new AbortController();
    controller.abort();
    const result = await runtime.execute(capability, {}, contextFor({ signal: controller.signal }));
    expect(called).toBe(false);
    expect(result.status === 'failed' && result.error.code).toBe('runtime_cancelled');
  });

  it('detaches from the caller signal after the attempt (a later abort changes nothing)', async () => {
    const controller = new AbortController();
    let handlerSignal!: AbortSignal;
    const capability = capabilityFor(async (_input, ctx) => {
      handlerSignal = ctx.signal;
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor({ signal: controller.signal }));
    controller.abort();
    expect(result.status).toBe('completed');
    expect(handlerSignal.aborted).toBe(false);
  });
});
