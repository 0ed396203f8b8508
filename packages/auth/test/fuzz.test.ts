import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createAuthService } from '../src/index';
import { harness, installToken } from './support/fixtures';

/** Resolves when `fn` succeeds or fails with an IntegrationError; anything else fails the property. */
async function typedOrOk(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
  }
}

const junk = fc.oneof(
  fc.anything(),
  fc.record({ subject: fc.anything(), callbackToken: fc.anything(), secret: fc.anything(), requiredScopes: fc.anything(), ttlSeconds: fc.anything() }, { requiredKeys: [] }),
  fc.constantFrom(null, undefined, '', 'tokenco', 'tenant-1', Object.create(null), [], { __proto__: { subject: 'x' } }),
);

describe('public API under arbitrary input', () => {
  it('every method answers junk with a typed IntegrationError (never a crash)', async () => {
    const { auth } = harness();
    const { connectionId, started } = await installToken(auth, { access_token: 'fuzz-token-1' });
    const ids = fc.oneof(junk, fc.constantFrom(connectionId, started.install.installId, 'webhook_secret'));
    type Call = (a: unknown, b: unknown, c: unknown) => Promise<unknown>;
    const methods: Array<[string, Call]> = [
      ['startInstall', (a, b, c) => auth.startInstall(a as string, b as string, c as never)],
      ['completeInstall', (a, b) => auth.completeInstall(a as string, b as never)],
      ['cancelInstall', (a, b) => auth.cancelInstall(a as string, b as never)],
      ['fetchInstall', (a) => auth.fetchInstall(a as string)],
      ['installs', (a) => auth.installs(a as never)],
      ['connectionStatus', (a) => auth.connectionStatus(a as string)],
      ['connections', (a) => auth.connections(a as never)],
      ['requestLease', (a, b) => auth.requestLease(a as string, b as never)],
      ['fetchLease', (a) => auth.fetchLease(a as string)],
      ['rotateConnection', (a, b) => auth.rotateConnection(a as string, b as never)],
      ['bind', (a) => auth.bind(a as string)],
      ['lease', (a, b) => auth.lease(a as never, b as never)],
      ['resolveSecret', (a, b) => auth.resolveSecret(a as string, b as string)],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), ids, junk, junk, async ([, call], a, b, c) => {
        await typedOrOk(() => call(a, b, c));
      }),
      { numRuns: 400 },
    );
    // The real connection is untouched by the noise (no partial writes).
    expect((await auth.requestLease(connectionId)).payload.access_token).toBe('fuzz-token-1');
  });

  it('createAuthService rejects junk options with a typed error', () => {
    fc.assert(
      fc.property(junk, (options) => {
        expect(() => createAuthService(options as never)).toThrowError(IntegrationError);
      }),
      { numRuns: 200 },
    );
    expect(() => createAuthService({ stores: memoryStores(), connectors: [], environment: 'staging' as never })).toThrowError(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
  });
});
