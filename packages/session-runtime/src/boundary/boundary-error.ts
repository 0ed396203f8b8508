import { integrationError, type ErrorCode, type IntegrationError } from '@integration/contracts';

/** The bridge's error classes and whether a caller may retry them (reference §1.7). */
export const boundaryErrorClasses = {
  invalid_request: false,
  resource_unavailable: true,
  dependency_failure: true,
  timeout: true,
  internal: false,
} as const;
export type BoundaryErrorClass = keyof typeof boundaryErrorClasses;

const codeByClass: Record<BoundaryErrorClass, ErrorCode> = {
  invalid_request: 'invalid_request',
  resource_unavailable: 'boundary_failed',
  dependency_failure: 'boundary_failed',
  timeout: 'runtime_timeout',
  internal: 'boundary_failed',
};

export interface BoundaryErrorInit {
  reason: string;
  message: string;
  correlationId?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the error code (e.g. `invalid_descriptor` for version mismatches). */
  code?: ErrorCode;
}

/** A typed IntegrationError carrying `details.boundaryClass`, `details.reason` and the request refs. */
export function boundaryError(errorClass: BoundaryErrorClass, init: BoundaryErrorInit): IntegrationError {
  return integrationError(init.code ?? codeByClass[errorClass], init.message, {
    retryable: boundaryErrorClasses[errorClass],
    cause: init.cause,
    details: {
      boundaryClass: errorClass,
      reason: init.reason,
      correlationId: init.correlationId ?? null,
      requestId: init.requestId ?? null,
      ...init.details,
    },
  });
}

/** Kernel error categories → bridge classes (validation|conflict → invalid_request, …). */
export function classForCategory(category: unknown): BoundaryErrorClass {
  switch (category) {
    case 'validation':
    case 'conflict':
      return 'invalid_request';
    case 'unavailable':
      return 'resource_unavailable';
    case 'dependency':
      return 'dependency_failure';
    case 'timeout':
      return 'timeout';
    default:
      return 'internal';
  }
}

/** Normalizes anything an adapter throws into a boundary error (typed errors keep their class). */
export function normalizeBoundaryError(error: unknown, refs: { correlationId?: string | null; requestId?: string | null }, operation: string): IntegrationError {
  if (error && typeof error === 'object' && 'code' in error && 'category' in error && error instanceof Error) {
    const maybe = error as unknown as IntegrationError;
    if (typeof maybe.details === 'object' && maybe.details && 'boundaryClass' in maybe.details) return maybe;
  }
  const category = error && typeof error === 'object' ? (error as { category?: unknown }).category : undefined;
  const errorClass = error instanceof TypeError || error instanceof RangeError ? 'invalid_request' : classForCategory(category);
  const message = error instanceof Error ? error.message : 'boundary adapter failed';
  return boundaryError(errorClass, {
    reason: errorClass === 'internal' && !(error instanceof Error) ? 'unknown_error' : `${operation}_failed`,
    message: `boundary ${operation} failed: ${message}`,
    ...refs,
    cause: error,
  });
}
