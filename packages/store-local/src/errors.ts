import { integrationError, isIntegrationError, type IntegrationError } from '@integration/contracts';

/** SQLite result codes that mean "the database is there but cannot serve us right now". */
const unavailablePrefixes = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PROTOCOL', 'SQLITE_NOMEM'];

function sqliteCode(error: unknown): string | null {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
    const code = (error as { code: string }).code;
    return code.startsWith('SQLITE_') ? code : null;
  }
  return null;
}

/**
 * Maps a driver error to a typed IntegrationError: lock contention after the busy timeout, I/O and
 * disk errors become a retryable `store_unavailable`; anything else is a non-retryable `store_failed`.
 * IntegrationErrors pass through untouched.
 */
export function toStoreError(error: unknown): IntegrationError {
  if (isIntegrationError(error)) return error;
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && unavailablePrefixes.some((prefix) => code.startsWith(prefix))) {
    return integrationError('store_unavailable', `sqlite store unavailable (${code}): ${message}`, {
      retryable: true,
      cause: error,
      details: { tier: 'sqlite', driverCode: code },
    });
  }
  return integrationError('store_failed', `sqlite store failed${code ? ` (${code})` : ''}: ${message}`, {
    retryable: false,
    cause: error,
    details: { tier: 'sqlite', driverCode: code },
  });
}

/** True for a UNIQUE / PRIMARY KEY violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Another connection holds the lock we need (after this statement's own busy wait). */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== null && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
