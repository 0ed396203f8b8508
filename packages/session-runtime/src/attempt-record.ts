import { redact, scrubError, type ArtifactRef, type EventSpec, type IntegrationError, type KnownSecrets, type RuntimeResult } from '@integration/contracts';
import type { ExecutionEvent } from './driver';

/** The ledger spec of a driver event, tagged with the session it came from. */
export function eventSpecOf(event: ExecutionEvent, sessionId: string | null): EventSpec {
  return {
    type: event.type,
    stream: event.stream ?? 'system',
    level: event.level ?? 'info',
    payload: event.payload ?? {},
    ...(sessionId ? { sessionId, runtimeRefId: sessionId } : {}),
  };
}

/**
 * What one attempt reports, assembled as it runs: its events and artifacts, and the result they
 * close with. Every event of the result is redacted by the attempt's known secrets, and so is the
 * error chain of a failure; a completed output goes back to the caller as the driver produced it.
 */
export class AttemptRecord {
  readonly events: EventSpec[] = [];
  readonly artifacts: ArtifactRef[] = [];

  constructor(private readonly secrets: KnownSecrets) {}

  add(spec: EventSpec): void {
    this.events.push(spec);
  }

  /** Driver events, in order, tagged with the session. */
  addDriverEvents(events: readonly ExecutionEvent[] | undefined, sessionId: string | null): void {
    for (const event of events ?? []) this.events.push(eventSpecOf(event, sessionId));
  }

  /** Closes the attempt with `attempt.failed`. */
  failed(error: IntegrationError, sessionId: string | null): RuntimeResult {
    this.events.push({
      type: 'attempt.failed',
      stream: 'control',
      level: 'error',
      payload: { code: error.code, message: error.message, retryable: error.retryable, details: error.details },
      ...(sessionId ? { sessionId, runtimeRefId: sessionId } : {}),
    });
    return { status: 'failed', error: scrubError(error, this.secrets), events: this.redactedEvents(), artifacts: this.artifacts, runtimeRefId: sessionId };
  }

  /** Closes the attempt as completed (the caller has added its closing events). */
  completed(output: unknown, sessionId: string): RuntimeResult {
    return { status: 'completed', output, events: this.redactedEvents(), artifacts: this.artifacts, runtimeRefId: sessionId };
  }

  private redactedEvents(): EventSpec[] {
    return this.events.map((e) => redact(e, { secrets: this.secrets }));
  }
}
