import { categoryOf, type ErrorCategory, type ErrorCode } from './codes';
import type { Run } from '../records/run';
import type { Attempt } from '../records/attempt';
import type { PolicyDecision } from '../records/policy-decision';

export interface IntegrationErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
  run?: Run;
  attempt?: Attempt;
  policyDecision?: PolicyDecision;
}

/**
 * The one error type every public function throws. `code` is stable. Whoever raises an error after
 * a secret is in play scrubs it (`scrubError`) with the secrets it knows, through the whole chain.
 */
export class IntegrationError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  run: Run | undefined;
  attempt: Attempt | undefined;
  policyDecision: PolicyDecision | undefined;

  constructor(code: ErrorCode, message: string, options: IntegrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = categoryOf(code);
    this.details = { ...options.details };
    this.retryable = options.retryable ?? defaultRetryable(this.category);
    this.retryAfterMs = options.retryAfterMs;
    this.run = options.run;
    this.attempt = options.attempt;
    this.policyDecision = options.policyDecision;
  }

  /** Attach the durable records that exist when the error is raised after a run was created. */
  withRecords(records: { run?: Run; attempt?: Attempt | undefined; policyDecision?: PolicyDecision | undefined }): this {
    if (records.run) this.run = records.run;
    if (records.attempt) this.attempt = records.attempt;
    if (records.policyDecision) this.policyDecision = records.policyDecision;
    return this;
  }

  toJSON(): SerializedError {
    return {
      name: this.name,
      code: this.code,
      category: this.category,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      details: this.details,
    };
  }
}

export interface SerializedError {
  name: string;
  code: ErrorCode;
  category: ErrorCategory;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  details: Record<string, unknown>;
}

function defaultRetryable(category: ErrorCategory): boolean {
  return category === 'store';
}

export class ValidationError extends IntegrationError {}
export class NotFoundError extends IntegrationError {}
export class AuthError extends IntegrationError {}
export class PolicyError extends IntegrationError {}
export class ConflictError extends IntegrationError {}
export class ExecutionError extends IntegrationError {}
export class StoreError extends IntegrationError {}

const classByCategory: Record<ErrorCategory, typeof IntegrationError> = {
  validation: ValidationError,
  not_found: NotFoundError,
  auth: AuthError,
  policy: PolicyError,
  conflict: ConflictError,
  runtime: ExecutionError,
  store: StoreError,
};

/** Build the right subclass for a code: `integrationError('unknown_run', 'no run run_…')`. */
export function integrationError(code: ErrorCode, message: string, options?: IntegrationErrorOptions): IntegrationError {
  const ErrorClass = classByCategory[categoryOf(code)];
  return new ErrorClass(code, message, options);
}

export function isIntegrationError(value: unknown): value is IntegrationError {
  return value instanceof IntegrationError;
}
