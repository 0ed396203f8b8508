import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStores } from '@integration/store-memory';
import { KeyRing, createAuthService, generateSealingKey } from '../src/index';
import { apiTokenConnector, captureLogger, failure, installToken, key } from './support/fixtures';

const ring = (keys: Record<string, string>, activeKeyId: string) => KeyRing.fromConfig({ keys, activeKeyId });

describe('key ring', () => {
  it('seals with AES-256-GCM under the active kid and round-trips any text', () => {
    const r = ring({ k1: key() }, 'k1');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ minLength: 1, maxLength: 40 }), (plaintext, recordId) => {
        const envelope = r.seal(recordId, plaintext);
        expect(envelope.alg).toBe('A256GCM');
        expect(envelope.kid).toBe('k1');
        expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);
        expect(r.open(recordId, envelope)).toBe(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('binds the record id (AAD): an envelope moved to another record does not open', () => {
    const r = ring({ k1: key() }, 'k1');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string(), (a, b, text) => {
        fc.pre(a !== b);
        const envelope = r.seal(a, text);
        expect(() => r.open(b, envelope)).toThrowError(expect.objectContaining({ code: 'credential_unsealable' }));
      }),
      { numRuns: 100 },
    );
  });

  it('rejects any tampering with iv, ciphertext or tag', () => {
    const r = ring({ k1: key() }, 'k1');
    const envelope = r.seal('cred_1', 'a secret worth protecting');
    fc.assert(
      fc.property(fc.constantFrom('iv', 'ciphertext', 'tag') as fc.Arbitrary<'iv' | 'ciphertext' | 'tag'>, fc.nat(), fc.integer({ min: 1, max: 255 }), (field, index, flip) => {
        const bytes = Buffer.from(envelope[field], 'base64');
        bytes[index % bytes.length] = bytes[index % bytes.length]! ^ flip;
        const tampered = { ...envelope, [field]: bytes.toString('base64') };
        expect(() => r.open('cred_1', tampered)).toThrowError(expect.objectContaining({ code: 'credential_unsealable' }));
      }),
      { numRuns: 150 },
    );
    expect(() => r.open('cred_1', { ...envelope, kid: 'gone' })).toThrowError(expect.objectContaining({ code: 'credential_unsealable' }));
    expect(() => r.open('cred_1', { ...envelope, alg: 'none' } as never)).toThrowError(expect.objectContaining({ code: 'credential_unsealable' }));
  });

  it('opens with older keys and seals with the active one', () => {
    const k1 = key();
    const old = ring({ k1 }, 'k1').seal('cred_x', 'payload');
    const rotated = ring({ k1, k2: key() }, 'k2');
    expect(rotated.open('cred_x', old)).toBe('payload');
    expect(rotated.seal('cred_x', 'payload').kid).toBe('k2');
    expect(rotated.needsRewrap(old)).toBe(true);
  });

  it('fails clearly on missing or malformed configuration without echoing key material', () => {
    const stores = memoryStores();
    const base = { stores, connectors: [apiTokenConnector()] };
    for (const environment of ['production', 'test'] as const) {
      expect(() => createAuthService({ ...base, environment })).toThrowError(expect.objectContaining({ code: 'key_configuration_missing' }));
    }
    expect(() => createAuthService(base)).toThrowError(expect.objectContaining({ code: 'key_configuration_missing' }));
    expect(() => createAuthService({ ...base, environment: 'test', secrets: { keys: {}, activeKeyId: 'k1' } })).toThrowError(
      expect.objectContaining({ code: 'key_configuration_missing' }),
    );
    expect(() => createAuthService({ ...base, environment: 'test', secrets: { keys: { k1: key() }, activeKeyId: 'k9' } })).toThrowError(
      expect.objectContaining({ code: 'key_configuration_missing' }),
    );
    const shortKey = Buffer.alloc(16, 1).toString('base64');
    const error = (() => {
      try {
        createAuthService({ ...base, environment: 'test', secrets: { keys: { k1: shortKey }, activeKeyId: 'k1' } });
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('expected failure');
    })();
    expect(error.code).toBe('invalid_argument');
    expect(JSON.stringify(error) + error.message).not.toContain(shortKey);
    expect(generateSealingKey()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('development without keys generates one and warns loudly', async () => {
    const logger = captureLogger();
    const auth = createAuthService({ stores: memoryStores(), connectors: [apiTokenConnector()], environment: 'development', logger });
    expect(auth.activeKeyId).toMatch(/^dev-/);
    const warning = logger.lines.find((line) => line.includes('"level":"warn"'));
    expect(warning).toContain('NO CREDENTIAL SEALING KEYS CONFIGURED');
    const { connectionId } = await installToken(auth, { access_token: 'dev-mode-token' });
    expect((await auth.requestLease(connectionId)).payload.access_token).toBe('dev-mode-token');
  });

  it('rewrapCredentials re-seals under the active key; afterwards the old key can go', async () => {
    const stores = memoryStores();
    const k1 = key();
    const k2 = key();
    const common = { stores, connectors: [apiTokenConnector()], environment: 'test' as const };
    const before = createAuthService({ ...common, secrets: { keys: { k1 }, activeKeyId: 'k1' } });
    const a = await installToken(before, { access_token: 'rewrap-token-a', webhook_secret: 'rewrap-whsec-a' });
    const b = await installToken(before, { access_token: 'rewrap-token-b' });
    const leaseA = await before.requestLease(a.connectionId);
    const revoked = await installToken(before, { access_token: 'rewrap-revoked' });
    await before.revokeConnection(revoked.connectionId, { reason: 'gone' });

    const during = createAuthService({ ...common, secrets: { keys: { k1, k2 }, activeKeyId: 'k2' } });
    expect((await during.requestLease(b.connectionId)).payload.access_token).toBe('rewrap-token-b');
    const report = await during.rewrapCredentials();
    expect(report).toEqual({ credentials: 2, installs: 0, unsealable: [] });
    for (const credential of await stores.auth.listCredentials()) {
      if (credential.envelope) expect(credential.envelope.kid).toBe('k2');
    }
    expect(await during.rewrapCredentials()).toEqual({ credentials: 0, installs: 0, unsealable: [] });

    const after = createAuthService({ ...common, secrets: { keys: { k2 }, activeKeyId: 'k2' } });
    expect((await after.requestLease(a.connectionId)).payload.access_token).toBe('rewrap-token-a');
    expect((await after.requestLease(b.connectionId)).payload.access_token).toBe('rewrap-token-b');
    expect(await after.resolveSecret(a.connectionId, 'webhook_secret')).toBe('rewrap-whsec-a');
    // Re-wrapping does not change the secret, so leases issued before stay valid.
    expect((await after.fetchLease(leaseA.leaseId)).payload.access_token).toBe('rewrap-token-a');
  });

  it('without rewrap, removing the old key makes credentials unsealable (typed error, no secret)', async () => {
    const stores = memoryStores();
    const common = { stores, connectors: [apiTokenConnector()], environment: 'test' as const };
    const before = createAuthService({ ...common, secrets: { keys: { k1: key() }, activeKeyId: 'k1' } });
    const { connectionId } = await installToken(before, { access_token: 'orphaned-token' });
    const after = createAuthService({ ...common, secrets: { keys: { k2: key() }, activeKeyId: 'k2' } });
    const error = await failure(() => after.requestLease(connectionId));
    expect(error.code).toBe('credential_unsealable');
    expect(error.details.kid).toBe('k1');
    const report = await after.rewrapCredentials();
    expect(report.unsealable).toHaveLength(1);
  });

  it('re-wraps the sealed OAuth state of pending installs too', async () => {
    const stores = memoryStores();
    const k1 = key();
    const connector = (await import('./support/fixtures')).testConnector('oauthco', {
      type: 'oauth2',
      oauth: { authorizationUrl: 'https://auth.example.test/authorize', tokenUrl: 'https://auth.example.test/token' },
    });
    const oauthClients = { oauthco: { clientId: 'c', redirectUri: 'https://app.example.test/cb' } };
    const common = { stores, connectors: [connector], environment: 'test' as const, oauthClients };
    const before = createAuthService({ ...common, secrets: { keys: { k1 }, activeKeyId: 'k1' } });
    const started = await before.startInstall('oauthco', 'tenant-1', { subject: 's' });
    const during = createAuthService({ ...common, secrets: { keys: { k1, k2: key() }, activeKeyId: 'k2' } });
    expect(await during.rewrapCredentials()).toEqual({ credentials: 0, installs: 1, unsealable: [] });
    expect((await stores.auth.fetchInstall(started.install.installId))?.sealedState?.kid).toBe('k2');
  });

  it('exposes a sealer for other packages (webhook route secrets)', () => {
    const auth = createAuthService({ stores: memoryStores(), connectors: [], environment: 'test', secrets: { keys: { k1: key() }, activeKeyId: 'k1' } });
    const envelope = auth.sealer.seal('route_1', 'whsec_inline');
    expect(JSON.stringify(envelope)).not.toContain('whsec_inline');
    expect(auth.sealer.open('route_1', envelope)).toBe('whsec_inline');
    expect(() => auth.sealer.open('route_2', envelope)).toThrowError(expect.objectContaining({ code: 'credential_unsealable' }));
  });
});
