import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ManualClock,
  attemptIdFor,
  defineConnector,
  defineOperation,
  isoAt,
  newId,
  silentLogger,
  type Capability,
  type RuntimeContext,
  type RuntimeRouting,
} from '@integration/contracts';

export const CANARY = 'sk-stream-canary-0123456789';
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const types = (events: { type: string }[]) => events.map((e) => e.type);

export function streamCapability(runtime: RuntimeRouting | null, id = 'feed.items.pull'): Capability {
  const op = defineOperation({
    id,
    description: 'a test stream operation',
    runtimeClass: 'stream',
    input: z.object({ topic: z.string(), limit: z.number().int().positive() }),
    output: z.object({}).passthrough(),
    schemaPolicy: { output: 'passthrough', justification: 'tests inspect the raw driver output' },
    runtime: runtime ?? { driver: 'placeholder' },
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    timeoutMs: 10_000,
  });
  const capability = defineConnector({
    id: 'feed',
    auth: { type: 'api_token', requestedScopes: [], leaseFields: ['access_token'] },
    catalog: { displayName: 'Feed' },
    operations: [op],
  }).capabilities[0]!;
  return runtime ? capability : { ...capability, runtime: null };
}

export function contextFor(options: { connectionId?: string; runId?: string; attempt?: number; clock?: ManualClock; signal?: AbortSignal } = {}): RuntimeContext {
  const clock = options.clock ?? new ManualClock();
  const runId = options.runId ?? newId('run');
  const attempt = options.attempt ?? 1;
  const connectionId = options.connectionId ?? 'conn_feed';
  return {
    runId,
    attempt,
    attemptId: attemptIdFor(runId, attempt),
    lease: {
      leaseId: newId('lease'),
      credentialRefId: 'cred_feed',
      connectionId,
      subject: 'reader',
      scopes: ['feed:read'],
      payload: { access_token: CANARY },
      issuedAt: isoAt(clock.now()),
      expiresAt: isoAt(clock.now() + 300_000),
    },
    credentialRef: { id: 'cred_feed', subject: 'reader', scopes: ['feed:read'], authType: 'api_token', connectionId, installId: null, connectorId: 'feed', tenantId: 'tenant_a' },
    connectionId,
    tenantId: 'tenant_a',
    actorId: 'actor_1',
    traceId: null,
    idempotencyKey: null,
    executionPolicy: { runtimeClass: 'stream', sandbox: { level: 'standard', egress: 'blocked', approvals: 'auto', fileScope: null, allowedTools: [] } },
    target: null,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: 10_000,
    logger: silentLogger,
    clock,
    extensions: {},
  };
}
