import {
  eventRecord,
  frozenJsonCopy,
  isoAt,
  KnownSecrets,
  redact,
  traceOf,
  type Clock,
  type ErrorSummary,
  type Event,
  type EventPosition,
  type EventSpec,
  type IntegrationError,
  type LostEventBuilder,
} from '@integration/contracts';

export type { EventPosition } from '@integration/contracts';

/**
 * Builds ledger records from specs: ids, seqs, timestamps and redaction (by the secret values
 * known for the call: its lease payload and declared-secret fields) happen here, once, for every
 * durable write. What it returns is deeply frozen JSON, so no tier or reader needs to copy it again.
 */
export class LedgerWriter {
  constructor(
    private readonly clock: Clock,
    readonly secrets: KnownSecrets = KnownSecrets.none,
  ) {}

  /** A writer that also redacts `more`. */
  withSecrets(...more: Array<KnownSecrets | Iterable<string>>): LedgerWriter {
    const secrets = this.secrets.with(...more);
    return secrets === this.secrets ? this : new LedgerWriter(this.clock, secrets);
  }

  /** A redacted, deeply frozen JSON copy. */
  redact<T>(value: T): T {
    return redact(value, { secrets: this.secrets, frozenJson: true });
  }

  now(): string {
    return isoAt(this.clock.now());
  }

  /** Events numbered from `firstSeq`, in order. */
  events(position: EventPosition, firstSeq: number, specs: EventSpec[]): Event[] {
    const ts = this.now();
    // One trace object for the batch: events of one position share it.
    const trace = traceOf(position.traceId);
    return specs.map((spec, index) =>
      Object.freeze(
        eventRecord(position, spec, {
          seq: firstSeq + index,
          ts,
          trace,
          payload: this.redact(spec.payload ?? {}),
          payloadRef: spec.payloadRef ? frozenJsonCopy(spec.payloadRef) : null,
        }),
      ),
    );
  }

  /** The `attempt.lost` event that closes an attempt whose executor vanished. */
  lostEvent(traceId: string | null): LostEventBuilder {
    return (lost, seq, supersededBy) =>
      this.events({ runId: lost.runId, attemptId: lost.attemptId, attempt: lost.attempt, targetId: lost.targetId, traceId }, seq, [
        { type: 'attempt.lost', stream: 'control', level: 'warn', payload: { attempt: lost.attempt, supersededBy } },
      ])[0]!;
  }

  errorSummary(error: IntegrationError): ErrorSummary {
    return this.redact({
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      details: error.details,
    });
  }
}
