import { integrationError, isIntegrationError, type IntegrationError } from '@integration/contracts';

/** SQLSTATE classes/codes that mean "Postgres cannot serve us right now; try again". */
const unavailableClasses = ['08', '53', '57', '58'];
const unavailableCodes = new Set(['40001', '40P01', '55P03', '55006']);
/** Node/pg errors (no SQLSTATE) that mean the connection is gone or never came up. */
const connectionPatterns = [/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/, /Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Client was closed/i, /connection (is )?closed/i, /the database system is (starting up|shutting down)/i];

function sqlState(error: unknown): string | null {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

export function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  if (state) return unavailableClasses.includes(state.slice(0, 2)) || unavailableCodes.has(state);
  const text = error instanceof Error ? `${(error as { code?: unknown }).code ?? ''} ${error.message}` : String(error);
  return connectionPatterns.some((pattern) => pattern.test(text));
}

/**
 * Maps a driver error to a typed IntegrationError: lost or refused connections, shutdowns,
 * resource exhaustion, serialization failures and deadlocks become a retryable
 * `store_unavailable`; anything else is a non-retryable `store_failed`.
 */
export function toStoreError(error: unknown): IntegrationError {
  if (isIntegrationError(error)) return error;
  const state = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  if (isConnectionError(error)) {
    return integrationError('store_unavailable', `postgres store unavailable: ${message}`, {
      retryable: true,
      cause: error,
      details: { tier: 'postgres', sqlState: state },
    });
  }
  return integrationError('store_failed', `postgres store failed${state ? ` (${state})` : ''}: ${message}`, {
    retryable: false,
    cause: error,
    details: { tier: 'postgres', sqlState: state },
  });
}
