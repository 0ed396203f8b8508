import { z } from 'zod';
import { IntegrationError } from './integration-error';
import type { ErrorCode } from './codes';

export const connectorErrorClasses = ['auth_failed', 'invalid_request', 'rate_limited', 'timeout', 'unavailable', 'internal'] as const;
export const ConnectorErrorClassSchema = z.enum(connectorErrorClasses);
export type ConnectorErrorClass = z.infer<typeof ConnectorErrorClassSchema>;

const retryableByDefault: Record<ConnectorErrorClass, boolean> = {
  auth_failed: false,
  invalid_request: false,
  rate_limited: true,
  timeout: true,
  unavailable: true,
  internal: false,
};

export interface UpstreamContext {
  httpStatus?: number;
  providerCode?: string;
  providerRequestId?: string;
  retryAfterMs?: number;
  [key: string]: unknown;
}

export interface ConnectorErrorInit {
  class: ConnectorErrorClass;
  message: string;
  /** Provider-specific code such as `github.not_found`; kept in details. */
  providerCode?: string;
  retryable?: boolean;
  retryAfterMs?: number;
  upstream?: UpstreamContext;
  cause?: unknown;
}

/** What a connector handler throws; the direct runtime maps it onto a failed attempt. */
export class ConnectorError extends IntegrationError {
  readonly errorClass: ConnectorErrorClass;
  readonly upstream: UpstreamContext;

  constructor(init: ConnectorErrorInit) {
    super(`connector_${init.class}` as ErrorCode, init.message, {
      details: {
        class: init.class,
        ...(init.providerCode ? { providerCode: init.providerCode } : {}),
        upstream: init.upstream ?? {},
      },
      retryable: init.retryable ?? retryableByDefault[init.class],
      ...(init.retryAfterMs === undefined ? {} : { retryAfterMs: init.retryAfterMs }),
      cause: init.cause,
    });
    this.errorClass = init.class;
    this.upstream = (this.details.upstream as UpstreamContext) ?? {};
  }
}
