import { isHTTPResponseError, InvalidPathParameterError, RequestTimeoutError } from '@notionhq/client';
import { ConnectorError, type ConnectorErrorClass } from '@integration/contracts';

interface Mapping {
  class: ConnectorErrorClass;
  retryable?: boolean;
}

/** Notion error codes (REST `code` and OAuth `error`) → connector error classes. */
const byCode: Record<string, Mapping> = {
  unauthorized: { class: 'auth_failed' },
  restricted_resource: { class: 'auth_failed' },
  invalid_client: { class: 'auth_failed' },
  invalid_grant: { class: 'auth_failed' },
  invalid_scope: { class: 'auth_failed' },
  unauthorized_client: { class: 'auth_failed' },
  object_not_found: { class: 'invalid_request' },
  validation_error: { class: 'invalid_request' },
  invalid_json: { class: 'invalid_request' },
  invalid_request_url: { class: 'invalid_request' },
  invalid_request: { class: 'invalid_request' },
  invalid_beta: { class: 'invalid_request' },
  missing_version: { class: 'invalid_request' },
  unsupported_grant_type: { class: 'invalid_request' },
  // "The transaction could not be completed, potentially due to a data collision": retry with fresh data.
  conflict_error: { class: 'invalid_request', retryable: true },
  rate_limited: { class: 'rate_limited' },
  service_overload: { class: 'rate_limited' },
  gateway_timeout: { class: 'timeout' },
  internal_server_error: { class: 'unavailable' },
  service_unavailable: { class: 'unavailable' },
  database_connection_unavailable: { class: 'unavailable' },
};

function byStatus(status: number): Mapping {
  if (status === 401 || status === 403) return { class: 'auth_failed' };
  if (status === 429) return { class: 'rate_limited' };
  if (status === 408 || status === 504) return { class: 'timeout' };
  if (status >= 500) return { class: 'unavailable' };
  if (status >= 400) return { class: 'invalid_request' };
  return { class: 'internal' };
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const entry = Object.entries(headers as Record<string, unknown>).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

/** `Retry-After` in delta-seconds or HTTP-date → milliseconds. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseBody(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

export interface MapContext {
  signal?: AbortSignal;
  now?: number;
}

/**
 * Maps anything the Notion SDK (or its fetch) throws onto a ConnectorError with a
 * `notion.<code>` provider code and Notion's upstream context as sent (status, request id, body).
 * ConnectorErrors pass through. Nothing is redacted here: the runtime and the control plane scrub
 * the call's secrets from every error (message, stack, details, upstream, cause chain).
 */
export function mapNotionError(error: unknown, context: MapContext = {}): ConnectorError {
  if (error instanceof ConnectorError) return error;

  if (isHTTPResponseError(error)) {
    const body = parseBody(error.body);
    const bodyCode = typeof body?.code === 'string' ? body.code : typeof body?.error === 'string' ? body.error : undefined;
    const code = error.code === 'notionhq_client_response_error' ? (bodyCode ?? 'response_error') : error.code;
    const mapping = byCode[code] ?? byStatus(error.status);
    const retryAfter = retryAfterMs(headerOf(error.headers, 'retry-after'), context.now);
    const providerMessage = typeof body?.message === 'string' ? body.message : error.message;
    const message =
      code === 'object_not_found'
        ? `Notion object not found, or not shared with the integration: ${providerMessage}`
        : `Notion API ${error.status} ${code}: ${providerMessage}`;
    return new ConnectorError({
      class: mapping.class,
      message,
      providerCode: `notion.${code}`,
      ...(mapping.retryable === undefined ? {} : { retryable: mapping.retryable }),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      upstream: {
        httpStatus: error.status,
        providerCode: code,
        ...(error.request_id ?? body?.request_id ? { providerRequestId: String(error.request_id ?? body?.request_id) } : {}),
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
        ...(body ? { body } : {}),
        ...(error.additional_data ? { additionalData: error.additional_data } : {}),
      },
    });
  }
  if (context.signal?.aborted) {
    // The attempt was stopped from outside: its timeout (retryable) or the caller cancelling it.
    const reason = context.signal.reason as { name?: unknown; code?: unknown } | undefined;
    // A DOM TimeoutError (AbortSignal.timeout) or the direct runtime's typed `runtime_timeout`.
    const timedOut = reason?.name === 'TimeoutError' || reason?.code === 'runtime_timeout';
    return timedOut
      ? new ConnectorError({ class: 'timeout', message: 'the attempt timed out before Notion answered', providerCode: 'notion.attempt_timeout' })
      : new ConnectorError({ class: 'timeout', message: 'the attempt was cancelled before Notion answered', providerCode: 'notion.cancelled', retryable: false });
  }
  if (error instanceof RequestTimeoutError || isAbort(error)) {
    return new ConnectorError({ class: 'timeout', message: 'the Notion request timed out', providerCode: 'notion.request_timeout' });
  }
  if (error instanceof InvalidPathParameterError) {
    return new ConnectorError({ class: 'invalid_request', message: error.message, providerCode: 'notion.invalid_path_parameter' });
  }
  if (error instanceof TypeError && /fetch failed|ECONNREFUSED|ENOTFOUND|socket/i.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`)) {
    return new ConnectorError({ class: 'unavailable', message: `could not reach the Notion API: ${error.message}`, providerCode: 'notion.api_connection' });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError({ class: 'internal', message: `unexpected Notion client failure: ${message}`, providerCode: 'notion.internal' });
}
