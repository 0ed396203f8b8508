import { integrationError, isIntegrationError, type ErrorCode, type IntegrationError } from '@integration/contracts';

/** Runtime failure with a stable code (the harness scrubs known secrets before it leaves the runtime). */
export function runtimeError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  options: { retryable?: boolean; cause?: unknown } = {},
): IntegrationError {
  return integrationError(code, message, { details, retryable: options.retryable ?? false, cause: options.cause });
}

/** Normalizes anything thrown inside a driver into an IntegrationError (never leaks the raw value). */
export function asIntegrationError(error: unknown, fallback: ErrorCode = 'runtime_failed'): IntegrationError {
  if (isIntegrationError(error)) return error;
  const message = error instanceof Error ? error.message : 'runtime failure';
  return runtimeError(fallback, message, { errorName: error instanceof Error ? error.name : typeof error }, { cause: error });
}
