import type { Pressure, SandboxInput } from '@integration/contracts';

/** The per-execution options shared by invoke and executeRun, normalised. */
export interface ExecutionRequest {
  actorId: string | null;
  tenantId: string | null;
  environment: string | null;
  traceId: string | null;
  allowedOperations: string[];
  sandbox: SandboxInput | undefined;
  pressure: Pressure | undefined;
  aggregatorId: string | undefined;
  aggregatorEpoch: number | undefined;
  timeoutMs: number | undefined;
  extensions: Record<string, unknown>;
  idempotencyKey: string | null;
  signal: AbortSignal | undefined;
}

/** The options a caller may set on an execution (an invocation request, executeRun's options). */
export interface ExecutionOptions {
  actorId?: string | undefined;
  tenantId?: string | undefined;
  environment?: string | undefined;
  traceId?: string | undefined;
  allowedOperations?: string[] | undefined;
  sandbox?: SandboxInput | undefined;
  pressure?: Pressure | undefined;
  aggregatorId?: string | undefined;
  aggregatorEpoch?: number | undefined;
  timeoutMs?: number | undefined;
  extensions?: Record<string, unknown> | undefined;
}

/** What an execution falls back to where the caller set nothing: a new run's nulls, or a stored run's own values. */
export interface ExecutionDefaults {
  actorId: string | null;
  tenantId: string | null;
  traceId: string | null;
  idempotencyKey: string | null;
  allowedOperations: string[];
}

export function executionRequestOf(options: ExecutionOptions, defaults: ExecutionDefaults, signal: AbortSignal | undefined): ExecutionRequest {
  return {
    actorId: options.actorId ?? defaults.actorId,
    tenantId: options.tenantId ?? defaults.tenantId,
    environment: options.environment ?? null,
    traceId: options.traceId ?? defaults.traceId,
    allowedOperations: options.allowedOperations ?? defaults.allowedOperations,
    sandbox: options.sandbox,
    pressure: options.pressure,
    aggregatorId: options.aggregatorId,
    aggregatorEpoch: options.aggregatorEpoch,
    timeoutMs: options.timeoutMs,
    extensions: options.extensions ?? {},
    idempotencyKey: defaults.idempotencyKey,
    signal,
  };
}
