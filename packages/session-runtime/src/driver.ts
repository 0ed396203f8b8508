import type { ArtifactInput, Capability, EventLevel, EventStream, IntegrationError, KnownSecrets, Lease, RuntimeContext } from '@integration/contracts';

/** A transport-safe handle to a running session: no process or driver references leak out. */
export interface SessionHandle {
  sessionId: string;
  driverId: string;
  provider: string | null;
  /** Driver-private state (thread ids, kernel state). Never secret material. */
  state: Record<string, unknown>;
}

export type SessionState = 'ready' | 'running' | 'failed' | 'stopped';

export interface SessionStatus {
  sessionId: string;
  driverId: string;
  state: SessionState;
  turns: number;
  activeRunId: string | null;
}

/** What a driver needs to open a session. */
export interface DriverStartRequest {
  sessionId: string;
  capability: Capability;
  provider: string | null;
  /** The capability's authored `runtime.options` (never target-supplied). */
  options: Record<string, unknown>;
  /** The real directory the session runs in (a boundary working directory), if any. */
  cwd: string | null;
  /** The scrubbed base environment of the boundary session. */
  env: Record<string, string>;
  signal: AbortSignal;
}

/** One turn of a session (or one pull of a stream). */
export interface RunRequest {
  runId: string;
  attemptId: string;
  /** 1-based turn number within the session. */
  turn: number;
  prompt: string;
  input: unknown;
  /** Stream pulls: the durable cursor to read after (null on the first pull). */
  cursor: string | null;
  /** The lease of this attempt; drivers pass it to the provider (e.g. through the CLI environment). */
  lease: Lease;
  /** Values that must never leave the driver unredacted. */
  secrets: KnownSecrets;
  timeoutMs: number;
  context: RuntimeContext;
}

/** One normalized execution event, before it becomes a ledger EventSpec. */
export interface ExecutionEvent {
  type: string;
  stream?: EventStream;
  level?: EventLevel;
  payload?: Record<string, unknown>;
}

export type ExecutionStatus = 'completed' | 'failed' | 'cancelled';

export interface ExecutionResult {
  status: ExecutionStatus;
  /** Driver output (merged into the attempt output by the runtime). */
  output: Record<string, unknown>;
  events: ExecutionEvent[];
  /** Present when status is not completed. */
  error?: IntegrationError;
  /** Stream drivers: the cursor to checkpoint after this pull. */
  checkpoint?: string | null;
  /** Extra artifacts the driver wants recorded (the runtime always records the event log). */
  artifacts?: ArtifactInput[];
}

/** A run as it streams: events as they happen, then the folded result. */
export interface RunStream extends AsyncIterable<ExecutionEvent> {
  readonly runId: string;
  /** Resolves once the run is over (after the iterator finishes or the run is cancelled). */
  result(): Promise<ExecutionResult>;
}

/**
 * A runtime driver (the harness contract). `run` is one turn (or one pull) and never throws for
 * execution failures: it returns a result with status failed/cancelled and a typed error.
 */
export interface Driver {
  readonly id: string;
  /** Drivers that run outside the process want a boundary working directory and environment. */
  readonly needsWorkspace: boolean;
  start(request: DriverStartRequest): Promise<SessionHandle>;
  run(handle: SessionHandle, request: RunRequest, signal: AbortSignal): Promise<ExecutionResult>;
  stream(handle: SessionHandle, request: RunRequest, signal: AbortSignal): RunStream;
  cancel(handle: SessionHandle, runId: string): Promise<void>;
  status(handle: SessionHandle): Promise<SessionStatus>;
  stop(handle: SessionHandle): Promise<void>;
}

/** Drives a RunStream to completion and returns its result. */
export async function drain(stream: RunStream): Promise<ExecutionResult> {
  for await (const _event of stream) {
    // events are collected by the stream itself
  }
  return stream.result();
}
