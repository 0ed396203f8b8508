import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumOf, type HandlerContext, type Logger } from '@integration/contracts';
import { createDirectRuntime, memoryPayloadStore } from '../src';
import { CANARY_TOKEN, capabilityFor, contextFor, leaseFor, types } from './fixtures';

describe('direct runtime: limits and options', () => {
  it('rejects invalid factory options with invalid_argument', () => {
    expect(() => createDirectRuntime({ artifactPayloads: { name: 'x' } as never })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => createDirectRuntime({ limits: { maxEvents: 0 } })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => createDirectRuntime({ extra: true } as never)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it('bounds the number of emitted events', async () => {
    const runtime = createDirectRuntime({ limits: { maxEvents: 2 } });
    const codes: string[] = [];
    const capability = capabilityFor(async (_input, ctx) => {
      for (let i = 0; i < 4; i += 1) {
        try {
          ctx.emit({ type: `connector.test.e${i}` });
        } catch (error) {
          codes.push((error as { code: string }).code);
        }
      }
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor());
    expect(types(result.events)).toEqual(['attempt.started', 'connector.test.e0', 'connector.test.e1', 'attempt.completed']);
    expect(codes).toEqual(['payload_too_large', 'payload_too_large']);
  });

  it('bounds event payload size and requires JSON payloads', async () => {
    const runtime = createDirectRuntime({ limits: { maxEventPayloadBytes: 64 } });
    const codes: string[] = [];
    const capability = capabilityFor(async (_input, ctx) => {
      for (const payload of [{ text: 'x'.repeat(100) }, { big: 1n }, { ok: true }]) {
        try {
          ctx.emit({ type: 'connector.test.p', payload });
          codes.push('ok');
        } catch (error) {
          codes.push((error as { code: string }).code);
        }
      }
      return 'ok';
    });
    await runtime.execute(capability, {}, contextFor());
    expect(codes).toEqual(['payload_too_large', 'invalid_argument', 'ok']);
  });
});

describe('direct runtime: isolation', () => {
  it("gives the handler a frozen copy of the lease and execution policy", async () => {
    const lease = leaseFor();
    const errors: unknown[] = [];
    const capability = capabilityFor(async (_input, ctx) => {
      try {
        (ctx.lease.payload as Record<string, string>).access_token = 'changed';
      } catch (error) {
        errors.push(error);
      }
      try {
        ctx.executionPolicy.sandbox.allowedTools.push('rm');
      } catch (error) {
        errors.push(error);
      }
      return ctx.lease.payload.access_token;
    });
    const result = await createDirectRuntime().execute(capability, {}, contextFor({ lease }));
    expect(errors).toHaveLength(2);
    expect(lease.payload.access_token).toBe(leaseFor().payload.access_token);
    expect(result.status === 'completed' && result.output).toBe(CANARY_TOKEN);
  });

  it('survives a logger that throws', async () => {
    const broken: Logger = {
      debug: () => { throw new Error('sink down'); },
      info: () => { throw new Error('sink down'); },
      warn: () => { throw new Error('sink down'); },
      error: () => { throw new Error('sink down'); },
      child: () => { throw new Error('no children'); },
    };
    const capability = capabilityFor(async (_input, ctx) => {
      ctx.logger.info({ a: 1 }, 'hello');
      ctx.logger.child({ b: 2 }).error('x');
      return 'ok';
    });
    const result = await createDirectRuntime().execute(capability, {}, contextFor({ logger: broken }));
    expect(result.status).toBe('completed');
  });

  it('keeps the timeout outcome when a cut-off handler resolves later, and its late emits change nothing', async () => {
    let ctxRef: HandlerContext | undefined;
    let lateEmitError: unknown;
    let resolveLate!: () => void;
    const late = new Promise<void>((resolve) => (resolveLate = resolve));
    const capability = capabilityFor(async (_input, ctx) => {
      ctxRef = ctx;
      await new Promise((resolve) => setTimeout(resolve, 60));
      try {
        ctx.emit({ type: 'connector.test.late' });
      } catch (error) {
        lateEmitError = error;
      }
      resolveLate();
      return 'too late';
    });
    const result = await createDirectRuntime().execute(capability, {}, contextFor({ timeoutMs: 10 }));
    expect(result.status === 'failed' && result.error.code).toBe('runtime_timeout');
    await late;
    expect(ctxRef!.signal.aborted).toBe(true);
    expect(lateEmitError).toMatchObject({ code: 'runtime_failed' });
    expect(types(result.events)).toEqual(['attempt.started', 'attempt.failed']);
  });
});

describe('direct runtime: artifact properties', () => {
  // Secrets of 8 characters or more are found anywhere; shorter ones only as whole tokens (next test).
  const token = fc.stringMatching(/^[a-z0-9]{8,24}$/);
  const shortToken = fc.stringMatching(/^[a-z0-9]{1,7}$/);
  const jsonLeaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));

  it('stored bytes never contain the lease token; checksum and size describe the stored bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        token,
        fc.oneof(
          fc.tuple(fc.string(), fc.string()).map(([a, b]) => ({ kind: 'string' as const, parts: [a, b] })),
          fc.tuple(fc.uint8Array(), fc.uint8Array()).map(([a, b]) => ({ kind: 'bytes' as const, parts: [a, b] })),
          fc.dictionary(fc.string(), jsonLeaf).map((d) => ({ kind: 'object' as const, dict: d })),
        ),
        async (secret, shape) => {
          const store = memoryPayloadStore();
          const runtime = createDirectRuntime({ artifactPayloads: store });
          const capability = capabilityFor(async (_input, ctx) => {
            const t = ctx.lease.payload.access_token!;
            const content =
              shape.kind === 'string'
                ? `${shape.parts[0]}${t}${shape.parts[1]}`
                : shape.kind === 'bytes'
                  ? Buffer.concat([shape.parts[0]!, new TextEncoder().encode(t), shape.parts[1]!])
                  : { ...shape.dict, leaked: t, nested: [t, { deeper: `x${t}x` }] };
            await ctx.artifact({ type: 'custom', slug: 'p', content });
            return 'ok';
          });
          const result = await runtime.execute(capability, {}, contextFor({ lease: leaseFor(secret) }));
          expect(result.status).toBe('completed');
          const ref = result.artifacts[0]!;
          const bytes = (await store.get(ref.payloadRef.key))!;
          expect(Buffer.from(bytes).includes(Buffer.from(secret))).toBe(false);
          expect(ref.checksum).toBe(checksumOf(bytes));
          expect(ref.sizeBytes).toBe(bytes.byteLength);
          expect(ref.redactionStatus).toBe('redacted');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a short lease secret is never stored where it stands between separators', async () => {
    await fc.assert(
      fc.asyncProperty(shortToken, fc.array(fc.stringMatching(/^[A-Za-z]{0,6}$/), { minLength: 1, maxLength: 4 }), async (secret, words) => {
        const store = memoryPayloadStore();
        const runtime = createDirectRuntime({ artifactPayloads: store });
        const capability = capabilityFor(async (_input, ctx) => {
          const t = ctx.lease.payload.access_token!;
          await ctx.artifact({ type: 'custom', slug: 'p', content: { words: words.join(` ${t} `), items: [t, `${t}:${t}`] } });
          return 'ok';
        });
        const result = await runtime.execute(capability, {}, contextFor({ lease: leaseFor(secret) }));
        const bytes = Buffer.from((await store.get(result.artifacts[0]!.payloadRef.key))!).toString('utf8');
        const tokens = bytes.split(/[^\p{L}\p{N}_]+/u);
        expect(tokens).not.toContain(secret);
      }),
      { numRuns: 100 },
    );
  });
});
