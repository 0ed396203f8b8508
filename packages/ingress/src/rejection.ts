import { IntegrationError, isIntegrationError, type ErrorCode, type ErrorSummary, type TriggerRecord } from '@integration/contracts';

/**
 * Thrown when ingress rejects a delivery. Carries the stored rejected trigger (null only when the
 * rejection itself could not be written). `code` is the reason: `signature_invalid`,
 * `invalid_trigger`, `unknown_capability`, …
 */
export class AdmissionRejectedError extends IntegrationError {
  readonly trigger: TriggerRecord | null;
  readonly reason: ErrorSummary;

  constructor(cause: IntegrationError, trigger: TriggerRecord | null) {
    super(cause.code, cause.message, { details: cause.details, retryable: cause.retryable, cause });
    this.trigger = trigger;
    this.reason = summarize(cause);
  }
}

export function summarize(error: IntegrationError): ErrorSummary {
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    details: error.details,
  };
}

/** Wraps anything thrown by user code (validators, resolvers) into a typed error. */
export function asIntegrationError(error: unknown, fallback: ErrorCode, message: string): IntegrationError {
  if (isIntegrationError(error)) return error;
  const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
  return new IntegrationError(fallback, detail ? `${message}: ${detail}` : message, { cause: error });
}
