import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectorError, createPlatform, defineConnector, defineOperation, generateSealingKey, KnownSecrets, type Logger, type Platform } from '../src';
import { storeTiers, type StoreTierFactory, type TierInstance } from '../src/testing';
import { errorChainTexts } from '@integration/contracts/testing';

// Lease secrets of every length, the short ones as whole tokens. The 1- and 2-character ones use
// characters no id, timestamp, hex or base64 text contains, so a raw-byte scan cannot meet them by chance.
const SHORT = { one: 'ß', two: 'ø7', three: 'k3x', four: 'ab1Z', five: 'zz9q1' };
const LONG = 'long-canary-secret-3f9a7c1e55d2';
const ALL = [...Object.values(SHORT), LONG];
const secrets = KnownSecrets.of(ALL);
const mention = ALL.map((s) => `<${s}>`).join(' ');

const leaky = defineConnector({
  id: 'leaky',
  auth: { type: 'api_token', leaseFields: ['one', 'two', 'three', 'four', 'five', 'api_token'], requestedScopes: ['leaky:use'] },
  catalog: { displayName: 'Leaky' },
  operations: [
    defineOperation({
      id: 'leaky.value.echo',
      description: 'Writes every lease secret into an event, a log line, an artifact and its output',
      input: z.strictObject({ note: z.string() }),
      output: z.strictObject({ echoed: z.string() }),
      scopes: ['leaky:use'],
      consumerSurface: { mode: 'connector_local', reason: 'test' },
      async handler(input, ctx) {
        ctx.emit({ type: 'connector.leaky.echoed', payload: { text: `${input.note} ${mention}`, [LONG]: ctx.lease.payload } });
        ctx.logger.info({ lease: ctx.lease.payload, text: mention }, `using ${mention}`);
        await ctx.artifact({ type: 'tool_output', slug: 'echo', content: { mention, lease: ctx.lease.payload } });
        return { echoed: mention };
      },
    }),
    defineOperation({
      id: 'leaky.value.fail',
      description: 'Fails with every lease secret deep inside the error cause chain',
      input: z.strictObject({}),
      output: z.strictObject({}),
      scopes: ['leaky:use'],
      consumerSurface: { mode: 'connector_local', reason: 'test' },
      async handler() {
        const deepest = new AggregateError([new Error(`socket said ${SHORT.one} ${SHORT.two}`), new TypeError(`parse ${LONG}`)], `all of ${SHORT.three} failed`);
        throw new ConnectorError({
          class: 'invalid_request',
          message: `rejected ${SHORT.four}`,
          upstream: { body: `{"error":"bad key ${SHORT.five}"}` },
          cause: new Error(`middle ${SHORT.five}`, { cause: deepest }),
        });
      },
    }),
  ],
});

/** Every text an error carries through its whole chain. */
const tiers = (await storeTiers()).filter((t) => t.name !== 'postgres' || t.unavailable === null);

describe.each(tiers)('canary secrets of 1–5 characters and long ones on the $name tier', (tier: StoreTierFactory) => {
  let instance: TierInstance;
  let platform: Platform;
  let connectionId: string;
  const logged: string[] = [];
  const logger: Logger = {
    debug: (obj, msg) => void logged.push(JSON.stringify([obj, msg])),
    info: (obj, msg) => void logged.push(JSON.stringify([obj, msg])),
    warn: (obj, msg) => void logged.push(JSON.stringify([obj, msg])),
    error: (obj, msg) => void logged.push(JSON.stringify([obj, msg])),
    child: () => logger,
  };

  beforeAll(async () => {
    instance = await tier.create();
    platform = await createPlatform({ connectors: [leaky], stores: instance.stores, logger, secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
    const started = await platform.startInstall('leaky', 'tenant-c', { subject: 'canary' });
    const done = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'canary',
      secret: { ...SHORT, api_token: LONG },
    });
    connectionId = done.connection.connectionId;
  });
  afterAll(async () => {
    await platform.close();
    await instance.cleanup();
  });

  it('the caller gets the exact output; records, events, artifacts, review packets and logs never hold a secret', async () => {
    const { run, output } = await platform.invoke('leaky.value.echo', { note: 'hello' }, { connectionId });
    expect(output).toEqual({ echoed: mention });
    const durable = JSON.stringify([
      await platform.runs(),
      await platform.attempts(run.runId),
      await platform.events(run.runId),
      await platform.runArtifacts(run.runId),
      await platform.reviewPacket(run.runId),
    ]);
    expect(durable).toContain('hello');
    // The artifact, the event and the run result are there, with each secret replaced in place.
    expect(durable).toContain(ALL.map(() => '<[REDACTED]>').join(' ').replaceAll('"', '\\"'));
    for (const value of ALL) expect(KnownSecrets.of([value]).occursIn(durable), value).toBe(false);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(secrets.occursIn(line), line).toBe(false);
  });

  it('an error is scrubbed through message, stack, details, upstream, cause and AggregateError.errors', async () => {
    const error = await platform.invoke('leaky.value.fail', {}, { connectionId }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'connector_invalid_request' });
    const texts = errorChainTexts(error);
    expect(texts.join('\n')).toContain('socket said');
    for (const text of texts) expect(secrets.occursIn(text), text).toBe(false);
    const run = (error as { run: { runId: string } }).run;
    const durable = JSON.stringify([await platform.fetchRun(run.runId), await platform.attempts(run.runId), await platform.events(run.runId), await platform.reviewPacket(run.runId)]);
    for (const value of ALL) expect(KnownSecrets.of([value]).occursIn(durable), value).toBe(false);
  });

  it('no stored byte holds a secret (SQLite file and WAL; every Postgres table)', async () => {
    if (!instance.rawContents) return;
    const raw = (await instance.rawContents()).toString('utf8');
    expect(raw).toContain('hello');
    for (const value of ALL) expect(KnownSecrets.of([value]).occursIn(raw), value).toBe(false);
  });
});
