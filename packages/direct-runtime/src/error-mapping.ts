import { isDeepStrictEqual } from 'node:util';
import {
  ConnectorError,
  connectorErrorClasses,
  ExecutionError,
  IntegrationError,
  integrationError,
  isErrorCode,
  redact,
  type ConnectorErrorClass,
} from '@integration/contracts';
import { scrubString } from './secret-scrub';

const MAX_MESSAGE_LENGTH = 1_000;

/**
 * Turns anything a handler throws into the attempt's IntegrationError. IntegrationErrors (including
 * ConnectorError) keep their class, code and retry hints; their message and details are scrubbed of
 * lease secrets. Anything else becomes `connector_internal`. Never throws.
 */
export function toAttemptError(thrown: unknown, secrets: readonly string[]): IntegrationError {
  try {
    if (thrown instanceof IntegrationError) return scrubIntegrationError(thrown, secrets);
    const foreign = fromForeignIntegrationError(thrown);
    if (foreign) return scrubIntegrationError(foreign, secrets);
    return new ExecutionError('connector_internal', truncate(scrubString(describe(thrown), secrets)), {
      retryable: false,
      details: { thrown: kindOf(thrown) },
    });
  } catch {
    return new ExecutionError('connector_internal', 'handler failed with an unreadable value', { retryable: false, details: { thrown: 'unreadable' } });
  }
}

function describe(thrown: unknown): string {
  if (thrown instanceof Error) return `handler failed: ${String(thrown.name)}: ${String(thrown.message)}`;
  if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) return `handler failed: ${String(thrown)}`;
  return `handler failed with a non-Error value (${typeof thrown})`;
}

function kindOf(thrown: unknown): string {
  if (thrown instanceof Error) return 'error';
  if (thrown === null) return 'null';
  return typeof thrown;
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}

/** Scrubs lease secrets out of an IntegrationError in place; rebuilds it when it cannot be changed. */
function scrubIntegrationError(error: IntegrationError, secrets: readonly string[]): IntegrationError {
  if (secrets.length === 0) return error;
  const message = scrubString(error.message, secrets);
  const details = redact(error.details, { secrets });
  const detailsChanged = !isDeepStrictEqual(details, error.details);
  if (message === error.message && !detailsChanged) return error;
  try {
    Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true, enumerable: false });
    if (typeof error.stack === 'string') {
      Object.defineProperty(error, 'stack', { value: scrubString(error.stack, secrets), writable: true, configurable: true, enumerable: false });
    }
    if (detailsChanged) {
      Object.defineProperty(error, 'details', { value: details, writable: false, configurable: true, enumerable: true });
      if (error instanceof ConnectorError) {
        Object.defineProperty(error, 'upstream', { value: details.upstream ?? {}, writable: false, configurable: true, enumerable: true });
      }
    }
    return error;
  } catch {
    if (error instanceof ConnectorError) {
      const upstream = (details.upstream ?? {}) as Record<string, unknown>;
      const providerCode = typeof details.providerCode === 'string' ? details.providerCode : undefined;
      return new ConnectorError({
        class: error.errorClass,
        message,
        retryable: error.retryable,
        upstream,
        ...(providerCode === undefined ? {} : { providerCode }),
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      });
    }
    const options = {
      details,
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
    return integrationError(error.code, message, options);
  }
}

/**
 * An IntegrationError from another copy of the contracts package (e.g. a connector bundled with its
 * own) fails `instanceof`; rebuild it from its public fields so its code and retry hints survive.
 */
function fromForeignIntegrationError(thrown: unknown): IntegrationError | null {
  if (!(thrown instanceof Error)) return null;
  const candidate = thrown as Error & { code?: unknown; retryable?: unknown; retryAfterMs?: unknown; details?: unknown; errorClass?: unknown };
  if (!isErrorCode(candidate.code) || typeof candidate.retryable !== 'boolean') return null;
  const details = candidate.details && typeof candidate.details === 'object' ? (candidate.details as Record<string, unknown>) : {};
  const retryAfterMs = typeof candidate.retryAfterMs === 'number' && Number.isInteger(candidate.retryAfterMs) && candidate.retryAfterMs >= 0 ? candidate.retryAfterMs : undefined;
  const errorClass = candidate.errorClass;
  if (typeof errorClass === 'string' && (connectorErrorClasses as readonly string[]).includes(errorClass) && candidate.code === `connector_${errorClass}`) {
    const upstream = details.upstream && typeof details.upstream === 'object' ? (details.upstream as Record<string, unknown>) : {};
    const providerCode = typeof details.providerCode === 'string' ? details.providerCode : undefined;
    return new ConnectorError({
      class: errorClass as ConnectorErrorClass,
      message: String(candidate.message),
      retryable: candidate.retryable,
      upstream,
      ...(providerCode === undefined ? {} : { providerCode }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return integrationError(candidate.code, String(candidate.message), {
    details,
    retryable: candidate.retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
