import { describe, expect, it } from 'vitest';
import {
  ConnectorError,
  ExecutionError,
  IntegrationError,
  ValidationError,
  type HandlerContext,
} from '@integration/contracts';
import { createDirectRuntime } from '../src';
import { errorChainTexts } from '@integration/contracts/testing';
import { CANARY_TOKEN, capabilityFor, contextFor, leaseFor, types, type LogLine } from './fixtures';

const runtime = createDirectRuntime();

describe('direct runtime: success', () => {
  it('runs the handler and returns the event sandwich', async () => {
    let seen: HandlerContext | undefined;
    const capability = capabilityFor(async (input, ctx) => {
      seen = ctx;
      ctx.emit({ type: 'connector.test.echoed', payload: { message: (input as { message: string }).message } });
      return { echoed: (input as { message: string }).message };
    });
    const result = await runtime.execute(capability, { message: 'hi' }, contextFor());
    expect(runtime.runtimeClass).toBe('direct');
    expect(result.status).toBe('completed');
    expect(result.status === 'completed' && result.output).toEqual({ echoed: 'hi' });
    expect(types(result.events)).toEqual(['attempt.started', 'connector.test.echoed', 'attempt.completed']);
    expect(result.events[0]!.payload).toEqual({ capabilityId: 'test.echo' });
    expect(result.events[1]).toMatchObject({ stream: 'system', level: 'info', payload: { message: 'hi' } });
    expect(result.events[2]!.payload).toEqual({ capabilityId: 'test.echo' });
    expect(result.runtimeRefId).toBeNull();
    expect(result.artifacts).toEqual([]);
    expect(seen).toMatchObject({ runId: 'run_01TEST', attempt: 1, attemptId: 'run_01TEST:1', idempotencyKey: 'idem-1', tenantId: 'tenant-a', actorId: 'alice' });
    expect(seen!.lease.payload.access_token).toBe(CANARY_TOKEN);
    expect(seen!.signal.aborted).toBe(false);
  });

  it('lets a handler destructure its context: emit, artifact, logger, signal, lease and policy', async () => {
    const capability = capabilityFor(async (_input, { emit, artifact, logger, signal, lease, executionPolicy, runId }) => {
      emit({ type: 'connector.test.destructured', payload: { runId } });
      const ref = await artifact({ slug: 'note', type: 'log', content: 'hello' });
      logger.info({ artifactId: ref.artifactId }, 'recorded');
      return { aborted: signal.aborted, subject: lease.subject, runtimeClass: executionPolicy.runtimeClass };
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(result.status).toBe('completed');
    expect(result.status === 'completed' && result.output).toEqual({ aborted: false, subject: expect.any(String), runtimeClass: 'direct' });
    expect(types(result.events)).toEqual(['attempt.started', 'connector.test.destructured', 'attempt.completed']);
    expect(result.artifacts.map((a) => a.artifactType)).toEqual(['log']);
  });

  it('keeps emit order and redacts event payloads by lease secret, not by key name', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      ctx.emit({ type: 'connector.test.one', payload: { token: 'abc', note: `uses ${CANARY_TOKEN}` } });
      ctx.emit({ type: 'connector.test.two', stream: 'stdout', level: 'debug' });
      return null;
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(types(result.events)).toEqual(['attempt.started', 'connector.test.one', 'connector.test.two', 'attempt.completed']);
    expect(result.events[1]!.payload).toEqual({ token: 'abc', note: 'uses [REDACTED]' });
    expect(result.events[2]).toMatchObject({ stream: 'stdout', level: 'debug', payload: {} });
  });

  it('rejects invalid and reserved events inside the handler', async () => {
    const errors: unknown[] = [];
    const capability = capabilityFor(async (_input, ctx) => {
      for (const bad of [{ type: '' }, { type: 'connector.test.x', stream: 'nope' }, { type: 'attempt.completed' }, { type: 'run.completed' }, { type: 'x', extra: 1 }]) {
        try {
          ctx.emit(bad as never);
        } catch (error) {
          errors.push(error);
        }
      }
      return 'ok';
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(result.status).toBe('completed');
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.completed']);
    expect(errors).toHaveLength(5);
    for (const error of errors) expect(error).toMatchObject({ code: 'invalid_argument' });
    expect(errors[2]).toBeInstanceOf(ValidationError);
  });

  it('gives the handler a child logger that redacts by lease secret, not by key name', async () => {
    const lines: LogLine[] = [];
    const capability = capabilityFor(async (_input, ctx) => {
      ctx.logger.info({ token: CANARY_TOKEN, header: `Bearer ${CANARY_TOKEN}` }, `calling with ${CANARY_TOKEN}`);
      ctx.logger.warn(`plain ${CANARY_TOKEN}`);
      ctx.logger.child({ step: 'x', apiKey: 'k' }).error({ nested: { value: CANARY_TOKEN } });
      ctx.logger.error({ err: new Error(`request with ${CANARY_TOKEN} failed`) }, 'boom');
      return 'ok';
    });
    await runtime.execute(capability, { message: 'x' }, contextFor({}, lines));
    expect(lines.length).toBe(4);
    expect(lines[3]!.obj).toMatchObject({ err: { name: 'Error', message: 'request with [REDACTED] failed' } });
    expect(JSON.stringify(lines)).not.toContain(CANARY_TOKEN);
    expect(lines[0]).toEqual({
      level: 'info',
      bindings: { runId: 'run_01TEST', attemptId: 'run_01TEST:1', capabilityId: 'test.echo' },
      obj: { token: '[REDACTED]', header: 'Bearer [REDACTED]' },
      msg: 'calling with [REDACTED]',
    });
    expect(lines[1]!.obj).toBe('plain [REDACTED]');
    expect(lines[2]!.bindings).toMatchObject({ step: 'x', apiKey: 'k', runId: 'run_01TEST' });
  });

  it('runs synchronous handlers that return plain values or throw', async () => {
    const ok = capabilityFor(((input: unknown) => input) as never);
    expect(await runtime.execute(ok, { message: 'sync' }, contextFor())).toMatchObject({ status: 'completed', output: { message: 'sync' } });
    const boom = capabilityFor((() => {
      throw new TypeError('sync boom');
    }) as never);
    const result = await runtime.execute(boom, { message: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('connector_internal');
  });
});

describe('direct runtime: failures', () => {
  it('keeps a ConnectorError as is (class, retryable, retryAfterMs) and ends with attempt.failed', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      ctx.emit({ type: 'connector.test.requested' });
      throw new ConnectorError({ class: 'rate_limited', message: 'slow down', retryAfterMs: 1500, providerCode: 'test.rate', upstream: { httpStatus: 429 } });
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error).toBeInstanceOf(ConnectorError);
    expect(result.error).toMatchObject({ code: 'connector_rate_limited', errorClass: 'rate_limited', retryable: true, retryAfterMs: 1500, message: 'slow down' });
    expect(result.error.details).toMatchObject({ class: 'rate_limited', providerCode: 'test.rate', upstream: { httpStatus: 429 } });
    expect(types(result.events)).toEqual(['attempt.started', 'connector.test.requested', 'attempt.failed']);
    expect(result.events[2]).toMatchObject({
      level: 'error',
      payload: { capabilityId: 'test.echo', error: { code: 'connector_rate_limited', message: 'slow down', retryable: true } },
    });
  });

  it.each([
    ['auth_failed', false],
    ['invalid_request', false],
    ['timeout', true],
    ['unavailable', true],
    ['internal', false],
  ] as const)('maps ConnectorError class %s (retryable %s)', async (errorClass, retryable) => {
    const capability = capabilityFor(async () => {
      throw new ConnectorError({ class: errorClass, message: errorClass });
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error).toMatchObject({ code: `connector_${errorClass}`, retryable });
  });

  it('keeps other IntegrationErrors as is', async () => {
    const thrown = new ValidationError('invalid_input', 'bad input', { details: { field: 'message' } });
    const capability = capabilityFor(async () => {
      throw thrown;
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(result.status === 'failed' && result.error).toBe(thrown);
  });

  it('maps any other thrown value to connector_internal with the lease secret redacted', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      throw new Error(`request failed with token ${ctx.lease.payload.access_token}`);
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error).toBeInstanceOf(ExecutionError);
    expect(result.error).toMatchObject({ code: 'connector_internal', retryable: false });
    expect(result.error.message).toBe('handler failed: Error: request failed with token [REDACTED]');
    expect(JSON.stringify(result)).not.toContain(CANARY_TOKEN);
  });

  it('scrubs lease secrets from a ConnectorError message and details, keeping its class', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      throw new ConnectorError({ class: 'auth_failed', message: `bad credentials ${ctx.lease.payload.access_token}`, upstream: { echoed: ctx.lease.payload.access_token } });
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    if (result.status !== 'failed') throw new Error('expected failure');
    expect(result.error).toBeInstanceOf(ConnectorError);
    expect(result.error.message).toBe('bad credentials [REDACTED]');
    expect((result.error as ConnectorError).upstream).toEqual({ echoed: '[REDACTED]' });
    expect(String(result.error.stack)).not.toContain(CANARY_TOKEN);
    expect(JSON.stringify({ error: result.error, events: result.events })).not.toContain(CANARY_TOKEN);
  });

  it('scrubs the lease secret from every error in a cause chain and an AggregateError', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      const token = ctx.lease.payload.access_token!;
      const root = new Error(`socket closed after sending ${token}`);
      throw new Error('upstream call failed', { cause: new AggregateError([root, new Error(`retry with ${token}`)], `2 attempts, last ${token}`) });
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor());
    if (result.status !== 'failed') throw new Error('expected failure');
    const chain = errorChainTexts(result.error);
    expect(chain).toEqual(expect.arrayContaining(['socket closed after sending [REDACTED]', 'retry with [REDACTED]', '2 attempts, last [REDACTED]']));
    expect(chain.join('\n')).not.toContain(CANARY_TOKEN);
    expect(chain.join('\n')).toContain('[REDACTED]');
  });

  it('redacts a 3-character lease secret only where it stands as a whole token', async () => {
    const capability = capabilityFor(async (_input, ctx) => {
      ctx.emit({ type: 'connector.test.pin', payload: { note: 'pin k3x, not k3xa or ak3x', list: ['k3x'] } });
      return { echo: 'k3x' };
    });
    const result = await runtime.execute(capability, { message: 'x' }, contextFor({ lease: leaseFor('k3x') }));
    expect(result.status === 'completed' && result.output).toEqual({ echo: 'k3x' });
    expect(result.events[1]!.payload).toEqual({ note: 'pin [REDACTED], not k3xa or ak3x', list: ['[REDACTED]'] });
  });

  it('keeps code and retry hints of an IntegrationError from another contracts copy', async () => {
    class ForeignConnectorError extends Error {
      code = 'connector_rate_limited';
      errorClass = 'rate_limited';
      retryable = true;
      retryAfterMs = 2500;
      details = { class: 'rate_limited', providerCode: 'x.limit', upstream: { httpStatus: 429 } };
    }
    class ForeignError extends Error {
      code = 'invalid_input';
      retryable = false;
      details = { field: 'a' };
    }
    const rate = await runtime.execute(capabilityFor(async () => { throw new ForeignConnectorError('slow'); }), {}, contextFor());
    if (rate.status !== 'failed') throw new Error('expected failure');
    expect(rate.error).toBeInstanceOf(ConnectorError);
    expect(rate.error).toMatchObject({ code: 'connector_rate_limited', retryable: true, retryAfterMs: 2500, message: 'slow', details: { providerCode: 'x.limit' } });
    const invalid = await runtime.execute(capabilityFor(async () => { throw new ForeignError('bad'); }), {}, contextFor());
    expect(invalid.status === 'failed' && invalid.error).toMatchObject({ code: 'invalid_input', category: 'validation', retryable: false, details: { field: 'a' } });
    const unknown = Object.assign(new Error('odd'), { code: 'not_a_registered_code', retryable: true });
    const odd = await runtime.execute(capabilityFor(async () => { throw unknown; }), {}, contextFor());
    expect(odd.status === 'failed' && odd.error.code).toBe('connector_internal');
  });

  it('fails a capability without a handler with runtime_failed', async () => {
    const capability = { ...capabilityFor(async () => null), handler: null };
    const result = await runtime.execute(capability, {}, contextFor());
    expect(result.status === 'failed' && result.error).toMatchObject({ code: 'runtime_failed', details: { reason: 'missing_handler' } });
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
  });

  it('fails a non-direct capability with unsupported_runtime_class without calling it', async () => {
    let called = false;
    const capability = {
      ...capabilityFor(async () => {
        called = true;
      }),
      runtimeClass: 'session' as const,
    };
    const result = await runtime.execute(capability, {}, contextFor());
    expect(result.status === 'failed' && result.error.code).toBe('unsupported_runtime_class');
    expect(called).toBe(false);
  });

  it('rejects a malformed context with invalid_argument (a host bug, not an attempt)', async () => {
    const capability = capabilityFor(async () => null);
    await expect(runtime.execute(capability, {}, contextFor({ attemptId: 'run_other:1' }))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(runtime.execute(capability, {}, { ...contextFor(), signal: undefined } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(runtime.execute(null as never, {}, contextFor())).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(runtime.execute(capability, {}, contextFor({ timeoutMs: 0 }))).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('refuses emit and artifact after the attempt finished', async () => {
    let saved: HandlerContext | undefined;
    const capability = capabilityFor(async (_input, ctx) => {
      saved = ctx;
      return 'done';
    });
    const result = await runtime.execute(capability, {}, contextFor());
    expect(() => saved!.emit({ type: 'connector.test.late' })).toThrow(IntegrationError);
    await expect(saved!.artifact({ type: 'log', slug: 'late', content: 'x' })).rejects.toThrow(/already finished/);
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.completed']);
  });
});
