import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, isSecretKey, REDACTED, type Platform } from '@integration/platform';
import { durableRecordsText, storeTiers, type TierInstance } from '@integration/platform/testing';
import { allNotionScopes, notion } from '../src/index';
import { propertyValue, SEED_TIME, startFakeNotion, type FakeNotion, type PageRecord, type PropertySchema } from '../src/testing/index';

/**
 * Records tell the truth: a page whose properties are named like secrets (`API key`, `PIN`,
 * `Token`) comes back, and is recorded, exactly; only the call's known secret values (the lease
 * token) are redacted from what is stored.
 */
const CANARY = 'secret_FIDELITY_CANARY_notion_8c2d4e6f';
const VAULT_DATABASE = 'db000000-0000-4000-8000-0000000000c1';
const VAULT_DATA_SOURCE = 'da000000-0000-4000-8000-0000000000c1';
const GATEWAY_PAGE = '0e000000-0000-4000-8000-0000000000c1';
const LEAKY_PAGE = '0e000000-0000-4000-8000-0000000000c2';

const vaultProperties: PropertySchema[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'ap%3Ak', name: 'API key', type: 'rich_text' },
  { id: 'pi%3An', name: 'PIN', type: 'number', config: { format: 'number' } },
  { id: 'to%3Ak', name: 'Token', type: 'rich_text' },
];

function vaultPage(id: string, values: { name: string; apiKey: string; pin: number; token: string }): PageRecord {
  const text = (content: string) => [{ text: { content } }];
  const requested: Record<string, unknown> = {
    Name: { title: text(values.name) },
    'API key': { rich_text: text(values.apiKey) },
    PIN: { number: values.pin },
    Token: { rich_text: text(values.token) },
  };
  return {
    id,
    parent: { type: 'data_source_id', data_source_id: VAULT_DATA_SOURCE, database_id: VAULT_DATABASE },
    properties: Object.fromEntries(vaultProperties.map((p) => [p.name, propertyValue(p, requested[p.name])])),
    createdTime: SEED_TIME,
    lastEditedTime: '2026-01-13T09:00:00.000Z',
    inTrash: false,
    isLocked: false,
    icon: null,
    cover: null,
  };
}

const tiers = await storeTiers();

for (const tier of tiers) describe.skipIf(tier.unavailable !== null)(`notion provider data passes through exactly (${tier.name})`, () => {
  let fake: FakeNotion;
  let platform: Platform;
  let instance: TierInstance;
  let connectionId: string;
  const payloadBytes = new Map<string, Uint8Array>();
  const runIds: string[] = [];

  const artifactOf = async (runId: string) => {
    const [ref] = await platform.runArtifacts(runId);
    const bytes = payloadBytes.get(ref!.payloadRef.key);
    expect(bytes, 'the artifact bytes are in the payload store').toBeDefined();
    return { ref: ref!, content: JSON.parse(Buffer.from(bytes!).toString('utf8')) as { response: Record<string, unknown>; schemaContext: unknown } };
  };

  beforeAll(async () => {
    instance = await tier.create();
    fake = await startFakeNotion({
      tokens: [CANARY],
      extraSeed: {
        databases: [{ id: VAULT_DATABASE, title: 'Vendor accounts', dataSourceIds: [VAULT_DATA_SOURCE] }],
        dataSources: [{ id: VAULT_DATA_SOURCE, databaseId: VAULT_DATABASE, title: 'Vendor accounts', properties: vaultProperties }],
        pages: [
          vaultPage(GATEWAY_PAGE, { name: 'Payments gateway', apiKey: 'pk_live_…4242 (full key in 1Password)', pin: 4821, token: 'YubiKey 5C, serial 18221937' }),
          // Someone pasted the integration's own token into the Token column.
          vaultPage(LEAKY_PAGE, { name: 'Notion integration', apiKey: 'n/a', pin: 0, token: `current: ${CANARY}` }),
        ],
      },
    });
    platform = await createPlatform({
      connectors: [notion({ baseUrl: fake.baseUrl })],
      stores: instance.stores,
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
      environment: 'test',
      artifactPayloads: {
        name: 'fidelity-memory',
        put: async (key, bytes) => void payloadBytes.set(key, bytes),
        get: async (key) => payloadBytes.get(key) ?? null,
      },
    });
    const started = await platform.startInstall('notion', 'tenant-f', { subject: 'notion-bot', actorId: 'ops', method: 'secret', requestedScopes: allNotionScopes });
    const completed = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'notion-bot',
      secret: { access_token: CANARY },
      grantedScopes: allNotionScopes,
    });
    connectionId = completed.connection.connectionId;
  });
  afterAll(async () => {
    await platform?.close();
    await instance?.cleanup();
    await fake?.close();
  });

  it('a page with `API key`, `PIN` and `Token` properties: output, artifact and review packet are exact', async () => {
    const served = fake.page(GATEWAY_PAGE)!;
    const properties = served.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties).sort()).toEqual(['API key', 'Name', 'PIN', 'Token']);
    expect(properties.PIN).toEqual({ id: 'pi%3An', type: 'number', number: 4821 });
    expect((properties['API key']!.rich_text as Array<{ plain_text: string }>)[0]!.plain_text).toBe('pk_live_…4242 (full key in 1Password)');

    const result = await platform.invoke('notion.pages.retrieve', { page_id: GATEWAY_PAGE }, { connectionId, actorId: 'ops' });
    runIds.push(result.run.runId);
    const output = result.output as { data: Record<string, unknown>; schemaContext: { propertyNames: string[] } };
    expect(output.data).toEqual(served);
    expect(output.data.properties).toEqual(properties);
    expect(output.schemaContext).toMatchObject({ dataSourceId: VAULT_DATA_SOURCE, propertyNames: ['API key', 'Name', 'PIN', 'Token'] });

    const { ref, content } = await artifactOf(result.run.runId);
    expect(ref.redactionStatus).toBe('clear');
    expect(content.response).toEqual(served);
    expect(content.schemaContext).toEqual(output.schemaContext);

    const packet = await platform.reviewPacket(result.run.runId);
    expect(packet.run.result).toEqual(result.output);
    expect((packet.run.result as typeof output).data.properties).toEqual(properties);
    expect(packet.artifacts).toEqual([ref]);
  });

  it('a property value that echoes the lease token: the caller gets it exactly; the stored copies have only that value redacted', async () => {
    const served = fake.page(LEAKY_PAGE)!;
    const result = await platform.invoke('notion.pages.retrieve', { page_id: LEAKY_PAGE }, { connectionId });
    runIds.push(result.run.runId);
    const output = result.output as { data: { properties: Record<string, { rich_text?: Array<{ plain_text: string }> }> } };
    expect(output.data).toEqual(served);
    expect(output.data.properties.Token!.rich_text![0]!.plain_text).toBe(`current: ${CANARY}`);

    // Only the token's value changes; names, shapes and every other value stay Notion's.
    const withoutToken = JSON.parse(JSON.stringify(served).split(CANARY).join(REDACTED)) as Record<string, unknown>;
    const { ref, content } = await artifactOf(result.run.runId);
    expect(ref.redactionStatus).toBe('redacted');
    expect(content.response).toEqual(withoutToken);
    const packet = await platform.reviewPacket(result.run.runId);
    expect((packet.run.result as { data: unknown }).data).toEqual(withoutToken);
  });

  it('the lease token is in no run, attempt, event, artifact, review packet or stored byte', async () => {
    expect(runIds).toHaveLength(2);
    // The property names this test relies on really are ones a key-name heuristic flags.
    expect(['API key', 'Token', 'access_token'].every(isSecretKey)).toBe(true);
    expect((await platform.runs()).map((r) => r.runId).sort()).toEqual([...runIds].sort());
    const durable = await durableRecordsText(platform);
    expect(durable).toContain('YubiKey 5C');
    expect(durable).not.toContain(CANARY);
    const payloads = [...payloadBytes.values()].map((b) => Buffer.from(b).toString('utf8')).join('\n');
    expect(payloads).toContain('pk_live_…4242');
    expect(payloads).not.toContain(CANARY);
    if (instance.rawContents) {
      const raw = await instance.rawContents();
      expect(raw.includes(Buffer.from('YubiKey 5C'))).toBe(true);
      expect(raw.includes(Buffer.from(CANARY))).toBe(false);
    }
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/pages/')).every((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(true);
  });
});
