import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  ManualClock,
  defineConnector,
  defineOperation,
  type AuthSpecInput,
  type ConnectorDefinition,
  type Logger,
  type Stores,
} from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createAuthService, type AuthService, type AuthServiceOptions } from '../../src/index';

export const key = () => randomBytes(32).toString('base64');

/** A logger that keeps every call, serialised, for leak checks. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Logger & { lines: string[] } => {
    const write = (level: string) => (obj: object | string, msg?: string) => {
      lines.push(JSON.stringify({ level, bindings, obj, msg }));
    };
    return {
      lines,
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make({});
}

export function testConnector(id: string, auth: AuthSpecInput): ConnectorDefinition {
  return defineConnector({
    id,
    auth,
    catalog: { displayName: id },
    operations: [
      defineOperation({
        id: `${id}.thing.read`,
        description: 'reads a thing',
        input: z.object({ id: z.string() }),
        output: z.object({ ok: z.boolean() }),
        scopes: auth.requestedScopes?.slice(0, 1) ?? [],
        handler: async () => ({ ok: true }),
        consumerSurface: { mode: 'connector_local', reason: 'test connector' },
      }),
    ],
  });
}

export const apiTokenConnector = () =>
  testConnector('tokenco', {
    type: 'api_token',
    requestedScopes: ['repo:read', 'repo:write'],
    secretNames: ['webhook_secret'],
  });

export interface Harness {
  auth: AuthService;
  stores: Stores;
  clock: ManualClock;
  logger: Logger & { lines: string[] };
  keys: Record<string, string>;
}

export function harness(overrides: Partial<AuthServiceOptions> = {}): Harness {
  const stores = overrides.stores ?? memoryStores();
  const clock = (overrides.clock as ManualClock | undefined) ?? new ManualClock();
  const logger = captureLogger();
  const keys = { k1: key() };
  const auth = createAuthService({
    stores,
    connectors: [apiTokenConnector()],
    secrets: { keys, activeKeyId: 'k1' },
    environment: 'test',
    clock,
    logger,
    ...overrides,
  });
  return { auth, stores, clock, logger, keys };
}

/** Installs an api-token connection and returns its ids. */
export async function installToken(auth: AuthService, secret: Record<string, string>, opts: { connectorId?: string; expiresAt?: string | null; grantedScopes?: string[] } = {}) {
  const started = await auth.startInstall(opts.connectorId ?? 'tokenco', 'tenant-1', { subject: 'octocat', actorId: 'user-1' });
  const completed = await auth.completeInstall(started.install.installId, {
    callbackToken: started.callbackToken,
    subject: 'octocat',
    secret,
    ...(opts.expiresAt !== undefined ? { expiresAt: opts.expiresAt } : {}),
    ...(opts.grantedScopes ? { grantedScopes: opts.grantedScopes } : {}),
  });
  return { started, completed, connectionId: completed.connection.connectionId };
}

/** Every auth record in the store, as JSON. */
export async function dumpAuthStore(stores: Stores, leaseIds: string[]): Promise<string> {
  const leases = await Promise.all(leaseIds.map((id) => stores.auth.fetchLease(id)));
  return JSON.stringify({
    installs: await stores.auth.listInstalls(),
    connections: await stores.auth.listConnections(),
    credentials: await stores.auth.listCredentials(),
    leases,
  });
}

/** Runs `fn` and returns the IntegrationError it throws (fails the test when it does not throw). */
export async function failure(fn: () => Promise<unknown>): Promise<Error & { code: string; details: Record<string, unknown>; retryable: boolean }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code: string; details: Record<string, unknown>; retryable: boolean };
  }
  throw new Error('expected the call to fail');
}
