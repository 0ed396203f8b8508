import { z } from 'zod';
import {
  attemptIdFor,
  defineConnector,
  defineOperation,
  ManualClock,
  type Capability,
  type DirectHandler,
  type Lease,
  type Logger,
  type RuntimeContext,
} from '@integration/contracts';

export const CANARY_TOKEN = 'ghp_CANARY_lease_token_7f3a9c';

export function capabilityFor(handler: DirectHandler<unknown, unknown>, options: { timeoutMs?: number } = {}): Capability {
  const connector = defineConnector({
    id: 'test',
    auth: { type: 'api_token', requestedScopes: ['repo:read'], leaseFields: ['access_token'] },
    catalog: { displayName: 'Test' },
    operations: [
      defineOperation({
        id: 'test.echo',
        description: 'echo the input',
        input: z.object({ message: z.string() }).loose(),
        output: z.unknown(),
        scopes: ['repo:read'],
        handler: handler as DirectHandler<{ message: string }, unknown>,
        consumerSurface: { mode: 'connector_local', reason: 'test fixture' },
        schemaPolicy: { output: 'passthrough', justification: 'tests return anything' },
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    ],
  });
  return connector.capabilities[0]!;
}

export interface LogLine {
  level: string;
  bindings: Record<string, unknown>;
  obj: unknown;
  msg: string | undefined;
}

export function capturingLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, bindings, obj, msg });
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => capturingLogger(lines, { ...bindings, ...more }),
  };
}

export function leaseFor(token = CANARY_TOKEN): Lease {
  return {
    leaseId: 'lease_1',
    credentialRefId: 'cred_1',
    connectionId: 'conn_1',
    subject: 'octocat',
    scopes: ['repo:read'],
    payload: { access_token: token },
    issuedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T00:05:00.000Z',
  };
}

export function contextFor(overrides: Partial<RuntimeContext> = {}, lines: LogLine[] = []): RuntimeContext {
  const runId = overrides.runId ?? 'run_01TEST';
  const attempt = overrides.attempt ?? 1;
  return {
    runId,
    attempt,
    attemptId: attemptIdFor(runId, attempt),
    lease: leaseFor(),
    credentialRef: {
      id: 'cred_1',
      subject: 'octocat',
      scopes: ['repo:read'],
      authType: 'api_token',
      connectionId: 'conn_1',
      installId: null,
      connectorId: 'test',
      tenantId: 'tenant-a',
    },
    connectionId: 'conn_1',
    tenantId: 'tenant-a',
    actorId: 'alice',
    traceId: null,
    idempotencyKey: 'idem-1',
    executionPolicy: {
      runtimeClass: 'direct',
      sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: [] },
    },
    target: null,
    signal: new AbortController().signal,
    timeoutMs: 5_000,
    logger: capturingLogger(lines),
    clock: new ManualClock(),
    extensions: {},
    ...overrides,
  };
}

export const types = (events: { type: string }[]) => events.map((e) => e.type);
