import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ManualClock,
  defineConnector,
  defineOperation,
  type Capability,
  type RuntimeContext,
  type RuntimeRouting,
} from '@integration/contracts';
import { runtimeContextFor } from '@integration/contracts/testing';

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
  return runtimeContextFor(
    {
      runtimeClass: 'stream',
      connectorId: 'feed',
      credentialRefId: 'cred_feed',
      subject: 'reader',
      scopes: ['feed:read'],
      sandbox: { level: 'standard', egress: 'blocked', approvals: 'auto', fileScope: null, allowedTools: [] },
    },
    { ...options, connectionId: options.connectionId ?? 'conn_feed', token: CANARY },
  );
}
