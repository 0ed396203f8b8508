import { isoAt, ManualClock } from '../clock';
import { attemptIdFor, newId } from '../ids';
import type { RuntimeClass, Sandbox } from '../records/common';
import type { RuntimeContext } from '../runtime/runtime';
import { silentLogger } from '../runtime/logger';

/** Who the test lease belongs to: the fields that differ between runtime test suites. */
export interface TestLeaseHolder {
  runtimeClass: RuntimeClass;
  connectorId: string;
  credentialRefId: string;
  subject: string;
  scopes: string[];
  sandbox: Sandbox;
}

export interface TestContextOptions {
  clock?: ManualClock;
  runId?: string;
  attempt?: number;
  connectionId: string;
  /** The lease's `access_token` (a canary, so tests can look for it where it must not be). */
  token: string;
  tenantId?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A complete RuntimeContext holding a 5-minute api-token lease, for runtime tests. */
export function runtimeContextFor(holder: TestLeaseHolder, options: TestContextOptions): RuntimeContext {
  const clock = options.clock ?? new ManualClock();
  const runId = options.runId ?? newId('run');
  const attempt = options.attempt ?? 1;
  const { connectionId } = options;
  const tenantId = options.tenantId ?? 'tenant_a';
  return {
    runId,
    attempt,
    attemptId: attemptIdFor(runId, attempt),
    lease: {
      leaseId: newId('lease'),
      credentialRefId: holder.credentialRefId,
      connectionId,
      subject: holder.subject,
      scopes: holder.scopes,
      payload: { access_token: options.token },
      issuedAt: isoAt(clock.now()),
      expiresAt: isoAt(clock.now() + 300_000),
    },
    credentialRef: {
      id: holder.credentialRefId,
      subject: holder.subject,
      scopes: holder.scopes,
      authType: 'api_token',
      connectionId,
      installId: null,
      connectorId: holder.connectorId,
      tenantId,
    },
    connectionId,
    tenantId,
    actorId: 'actor_1',
    traceId: null,
    idempotencyKey: null,
    executionPolicy: { runtimeClass: holder.runtimeClass, sandbox: holder.sandbox },
    target: null,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? 10_000,
    logger: silentLogger,
    clock,
    extensions: {},
  };
}
