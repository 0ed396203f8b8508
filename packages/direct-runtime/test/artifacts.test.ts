import { describe, expect, it } from 'vitest';
import { ArtifactRefSchema, canonicalJson, checksumOf, ManualClock, type ArtifactPayloadStore, type ArtifactRef } from '@integration/contracts';
import { createDirectRuntime, memoryPayloadStore } from '../src';
import { CANARY_TOKEN, capabilityFor, contextFor, type LogLine } from './fixtures';

const decode = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

describe('direct runtime: artifacts', () => {
  it('hashes canonical JSON, keys it by connector/run/attempt/slug and stores the bytes', async () => {
    const store = memoryPayloadStore('review_blobs');
    const runtime = createDirectRuntime({ artifactPayloads: store });
    const clock = new ManualClock(Date.parse('2026-03-04T05:06:07.089Z'));
    const content = { b: [1, 2], a: 'x', nested: { z: true, y: null } };
    let returned: ArtifactRef | undefined;
    const capability = capabilityFor(async (_input, ctx) => {
      returned = await ctx.artifact({ type: 'tool_output', slug: 'issue_create', content, metadata: { kind: 'response' } });
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor({ clock }));
    expect(result.status).toBe('completed');
    expect(result.artifacts).toHaveLength(1);
    const ref = result.artifacts[0]!;
    expect(ref).toBe(returned);
    const expected = canonicalJson(content);
    expect(expected).toBe('{"a":"x","b":[1,2],"nested":{"y":null,"z":true}}');
    expect(ref).toMatchObject({
      runId: 'run_01TEST',
      attemptId: 'run_01TEST:1',
      artifactType: 'tool_output',
      transportMode: 'object_store',
      checksum: checksumOf(expected),
      sizeBytes: Buffer.byteLength(expected),
      redactionStatus: 'clear',
      metadata: { kind: 'response' },
      createdAt: '2026-03-04T05:06:07.089Z',
      payloadRef: { store: 'review_blobs', key: 'test/run_01TEST/run_01TEST:1/issue_create', checksum: checksumOf(expected), sizeBytes: Buffer.byteLength(expected) },
    });
    expect(ref.artifactId).toMatch(/^art_/);
    expect(ArtifactRefSchema.safeParse(ref).success).toBe(true);
    expect(decode(await store.get('test/run_01TEST/run_01TEST:1/issue_create'))).toBe(expected);
  });

  it('keeps strings and bytes as they are, and uses connector_review without a store', async () => {
    const runtime = createDirectRuntime();
    const bytes = new Uint8Array([0, 255, 1, 254]);
    const capability = capabilityFor(async (_input, ctx) => {
      await ctx.artifact({ type: 'stdout', slug: 'out.txt', content: 'héllo\n' });
      await ctx.artifact({ type: 'tarball', slug: 'blob', content: bytes });
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor());
    const [text, blob] = result.artifacts;
    expect(text).toMatchObject({ checksum: checksumOf('héllo\n'), sizeBytes: 7, payloadRef: { store: 'connector_review' } });
    expect(blob).toMatchObject({ checksum: checksumOf(bytes), sizeBytes: 4, redactionStatus: 'clear' });
  });

  it('redacts the lease token from artifacts and logs by value; key names alone change nothing', async () => {
    const store = memoryPayloadStore();
    const runtime = createDirectRuntime({ artifactPayloads: store });
    const lines: LogLine[] = [];
    const capability = capabilityFor(async (_input, ctx) => {
      const token = ctx.lease.payload.access_token!;
      ctx.logger.info({ token, url: `https://api.test/?t=${token}` }, `using ${token}`);
      await ctx.artifact({ type: 'log', slug: 'text', content: `Authorization: Bearer ${token}` });
      await ctx.artifact({ type: 'tool_output', slug: 'json', content: { access_token: 'other-value', echo: token, list: [token] } });
      await ctx.artifact({ type: 'custom', slug: 'bin', content: new TextEncoder().encode(`\u0000${token}\u0001`) });
      await ctx.artifact({ type: 'custom', slug: 'meta', content: 'fine', metadata: { header: token, password: 'pw-123456' } });
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor({}, lines));
    expect(result.status).toBe('completed');
    expect(result.artifacts.map((a) => a.redactionStatus)).toEqual(['redacted', 'redacted', 'redacted', 'redacted']);
    const stored = await Promise.all(store.keys().map(async (key) => decode(await store.get(key))));
    expect(stored.join('\n')).not.toContain(CANARY_TOKEN);
    expect(stored).toContain('Authorization: Bearer [REDACTED]');
    expect(stored).toContain('{"access_token":"other-value","echo":"[REDACTED]","list":["[REDACTED]"]}');
    expect(stored).toContain('\u0000[REDACTED]\u0001');
    const text = result.artifacts[0]!;
    expect(text.checksum).toBe(checksumOf('Authorization: Bearer [REDACTED]'));
    expect(result.artifacts[3]!.metadata).toEqual({ header: '[REDACTED]', password: 'pw-123456' });
    expect(JSON.stringify(lines)).not.toContain(CANARY_TOKEN);
    expect(JSON.stringify(result)).not.toContain(CANARY_TOKEN);
  });

  it('rejects invalid artifacts with invalid_argument and a duplicate slug with duplicate_record', async () => {
    const runtime = createDirectRuntime();
    const codes: string[] = [];
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const capability = capabilityFor(async (_input, ctx) => {
      const attempts = [
        { type: 'nope', slug: 'a', content: 'x' },
        { type: 'log', slug: '../etc', content: 'x' },
        { type: 'log', slug: 'a/b', content: 'x' },
        { type: 'log', slug: '', content: 'x' },
        { type: 'log', slug: 'n', content: 42 },
        { type: 'log', slug: 'c', content: circular },
        { type: 'log', slug: 'd', content: { big: 10n } },
        { type: 'log', slug: 'ok', content: 'x' },
        { type: 'log', slug: 'ok', content: 'y' },
      ];
      for (const input of attempts) {
        try {
          await ctx.artifact(input as never);
          codes.push('ok');
        } catch (error) {
          codes.push((error as { code: string }).code);
        }
      }
      return 'done';
    });
    const result = await runtime.execute(capability, {}, contextFor());
    expect(codes).toEqual([
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'ok',
      'duplicate_record',
    ]);
    expect(result.artifacts).toHaveLength(1);
  });

  it('turns a failing payload store into a retryable store_unavailable error', async () => {
    const failing: ArtifactPayloadStore = {
      name: 'flaky',
      put: async () => {
        throw new Error('disk on fire');
      },
      get: async () => null,
    };
    const runtime = createDirectRuntime({ artifactPayloads: failing });
    const capability = capabilityFor(async (_input, ctx) => {
      await ctx.artifact({ type: 'log', slug: 'x', content: 'x' });
      return 'unreachable';
    });
    const result = await runtime.execute(capability, {}, contextFor());
    expect(result.status === 'failed' && result.error).toMatchObject({ code: 'store_unavailable', retryable: true });
    expect(result.artifacts).toEqual([]);
  });

  it('waits for artifact writes the handler did not await', async () => {
    const slow: ArtifactPayloadStore & { keys(): string[] } = (() => {
      const inner = memoryPayloadStore('slow');
      return { ...inner, put: async (k: string, b: Uint8Array) => { await new Promise((r) => setTimeout(r, 20)); await inner.put(k, b); } };
    })();
    const runtime = createDirectRuntime({ artifactPayloads: slow });
    const capability = capabilityFor(async (_input, ctx) => {
      void ctx.artifact({ type: 'log', slug: 'fire-and-forget', content: 'x' });
      return 'ok';
    });
    const result = await runtime.execute(capability, {}, contextFor());
    expect(result.status).toBe('completed');
    expect(result.artifacts.map((a) => a.payloadRef.key)).toEqual(['test/run_01TEST/run_01TEST:1/fire-and-forget']);
    expect(slow.keys()).toEqual(['test/run_01TEST/run_01TEST:1/fire-and-forget']);
  });

  it('completes (and warns) when an artifact write the handler did not await fails, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing: ArtifactPayloadStore = { name: 'flaky', put: async () => { throw new Error('nope'); }, get: async () => null };
      const lines: LogLine[] = [];
      const runtime = createDirectRuntime({ artifactPayloads: failing });
      const capability = capabilityFor(async (_input, ctx) => {
        void ctx.artifact({ type: 'log', slug: 'lost', content: 'x' });
        void ctx.artifact({ type: 'nope', slug: 'bad', content: 'x' } as never);
        return 'ok';
      });
      const result = await runtime.execute(capability, {}, contextFor({}, lines));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(result.status).toBe('completed');
      expect(result.artifacts).toEqual([]);
      const warned = lines.filter((l) => l.msg === 'artifact write failed').map((l) => l.obj as { slug: string });
      expect(warned.sort((a, b) => a.slug.localeCompare(b.slug))).toEqual([
        { code: 'invalid_argument', slug: 'bad' },
        { code: 'store_unavailable', slug: 'lost' },
      ]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
