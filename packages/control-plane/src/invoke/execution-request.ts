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
