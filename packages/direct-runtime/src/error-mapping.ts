import {
  ConnectorError,
  connectorErrorClasses,
  ExecutionError,
  IntegrationError,
  integrationError,
  isErrorCode,
  scrubError,
  type ConnectorErrorClass,
  type KnownSecrets,
} from '@integration/contracts';

const MAX_MESSAGE_LENGTH = 1_000;

/**
 * Turns anything a handler throws into the attempt's IntegrationError. IntegrationErrors (including
 * ConnectorError) keep their class, code and retry hints; they are scrubbed of the attempt's
 * secrets through their whole cause chain. Anything else becomes `connector_internal` (a thrown Error
 * stays its scrubbed `cause`). Never throws.
 */
export function toAttemptError(thrown: unknown, secrets: KnownSecrets): IntegrationError {
  try {
    if (thrown instanceof IntegrationError) return scrubError(thrown, secrets);
    const foreign = fromForeignIntegrationError(thrown);
    if (foreign) return scrubError(foreign, secrets);
    return new ExecutionError('connector_internal', truncate(secrets.redactText(describe(thrown))), {
      retryable: false,
      details: { thrown: kindOf(thrown) },
      // Kept for the caller's debugging, scrubbed like everything else the attempt returns.
      ...(thrown instanceof Error ? { cause: scrubError(thrown, secrets) } : {}),
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
