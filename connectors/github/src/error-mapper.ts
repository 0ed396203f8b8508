import { ConnectorError, knownSecretsOf, type ConnectorErrorClass, type KnownSecrets, type UpstreamContext } from '@integration/contracts';

/** The fields of octokit's `RequestError` (name `HttpError`) the mapper reads. */
interface HttpErrorLike {
  name: string;
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { status: number; url?: string; headers: Record<string, string | number | undefined>; data?: unknown };
}

export interface ErrorMappingContext {
  /**
   * Lease secret values, redacted from a message before it is truncated (a secret cut in half by
   * the truncation could no longer be recognised). Everything else in the error (upstream status,
   * headers, body) is GitHub's, exactly: the runtime scrubs known secrets from every error it records.
   */
  secrets: KnownSecrets | Iterable<string>;
  /** Epoch milliseconds now (the run's clock), for `x-ratelimit-reset`. */
  now: number;
  /** The run's signal (cancellation and the capability timeout). */
  runSignal?: AbortSignal;
  /** The per-request timeout signal. */
  requestSignal?: AbortSignal;
}

/** GitHub documents "wait at least one minute" for a secondary rate limit without Retry-After. */
export const SECONDARY_RATE_LIMIT_DEFAULT_MS = 60_000;
const MAX_MESSAGE_LENGTH = 500;
const keptHeaders = [
  'x-github-request-id',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-used',
  'x-ratelimit-resource',
  'x-github-sso',
  'x-accepted-github-permissions',
];

export function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'HttpError' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

/** Maps anything an octokit call can throw onto a ConnectorError with a `github.*` provider code. */
export function mapGitHubError(error: unknown, ctx: ErrorMappingContext): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const secrets = knownSecretsOf(ctx.secrets);
  // Scrubbed here, not only by the runtime: truncation may cut a secret so that the runtime cannot see it.
  const clean = (text: string) => truncate(secrets.redactText(text));

  if (ctx.requestSignal?.aborted || ctx.runSignal?.aborted || isAbort(error)) {
    const byRun = ctx.runSignal?.aborted === true;
    return new ConnectorError({
      class: 'timeout',
      message: byRun ? 'GitHub request aborted by the run signal (cancelled or timed out)' : 'GitHub request timed out',
      providerCode: byRun ? 'github.aborted' : 'github.request_timeout',
      upstream: { providerCode: byRun ? 'github.aborted' : 'github.request_timeout' },
    });
  }

  if (!isHttpError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new ConnectorError({
      class: 'internal',
      message: clean(`GitHub connector failed: ${message}`),
      providerCode: 'github.internal',
      upstream: { providerCode: 'github.internal' },
    });
  }

  const response = error.response;
  const method = error.request?.method ?? 'GET';
  const path = pathOf(error.request?.url ?? response?.url);
  if (!response) {
    // octokit reports network failures (DNS, refused connection, reset) as status 500 without a response.
    return new ConnectorError({
      class: 'unavailable',
      message: clean(`GitHub ${method} ${path} could not be reached: ${error.message}`),
      providerCode: 'github.connection_failed',
      upstream: { providerCode: 'github.connection_failed', method, path },
    });
  }

  const headers = lowerCaseHeaders(response.headers);
  const status = response.status;
  const data = response.data;
  const providerMessage = messageOf(data) ?? error.message;
  const { errorClass, providerCode, retryAfterMs } = classify(status, headers, providerMessage, ctx.now);
  const upstream: UpstreamContext = {
    httpStatus: status,
    providerCode,
    ...(headers['x-github-request-id'] ? { providerRequestId: headers['x-github-request-id'] } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    method,
    path,
    ...(documentationUrlOf(data) ? { documentationUrl: documentationUrlOf(data) } : {}),
    headers: Object.fromEntries(keptHeaders.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]])),
    body: data ?? null,
  };
  return new ConnectorError({
    class: errorClass,
    message: clean(`GitHub ${method} ${path} failed with ${status}: ${providerMessage}`),
    providerCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    upstream,
  });
}

interface Classification {
  errorClass: ConnectorErrorClass;
  providerCode: string;
  retryAfterMs?: number;
}

function classify(status: number, headers: Record<string, string>, message: string, now: number): Classification {
  const retryAfter = retryAfterMsOf(headers, now);
  if (status === 429 || (status === 403 && isRateLimited(headers, message))) {
    const secondary = headers['x-ratelimit-remaining'] !== '0' && /secondary rate limit|abuse/i.test(message);
    const primaryExhausted = headers['x-ratelimit-remaining'] === '0';
    return {
      errorClass: 'rate_limited',
      providerCode: primaryExhausted || !secondary ? 'github.rate_limited' : 'github.secondary_rate_limited',
      retryAfterMs: retryAfter ?? (secondary ? SECONDARY_RATE_LIMIT_DEFAULT_MS : undefined),
    };
  }
  switch (status) {
    case 400:
      return { errorClass: 'invalid_request', providerCode: 'github.bad_request' };
    case 401:
      return { errorClass: 'auth_failed', providerCode: 'github.unauthorized' };
    case 403:
      return { errorClass: 'auth_failed', providerCode: 'github.forbidden' };
    case 404:
      return { errorClass: 'invalid_request', providerCode: 'github.not_found' };
    case 408:
      return { errorClass: 'timeout', providerCode: 'github.request_timeout' };
    case 409:
      return { errorClass: 'invalid_request', providerCode: 'github.conflict' };
    case 410:
      return { errorClass: 'invalid_request', providerCode: 'github.gone' };
    case 422:
      return { errorClass: 'invalid_request', providerCode: 'github.validation_failed' };
    case 451:
      return { errorClass: 'invalid_request', providerCode: 'github.unavailable_for_legal_reasons' };
    case 502:
      return { errorClass: 'unavailable', providerCode: 'github.bad_gateway', ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
    case 503:
      return { errorClass: 'unavailable', providerCode: 'github.service_unavailable', ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
    case 504:
      return { errorClass: 'timeout', providerCode: 'github.gateway_timeout' };
    default:
      if (status >= 500) return { errorClass: 'unavailable', providerCode: 'github.server_error', ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
      if (status >= 400) return { errorClass: 'invalid_request', providerCode: `github.http_${status}` };
      return { errorClass: 'internal', providerCode: `github.unexpected_status_${status}` };
  }
}

function isRateLimited(headers: Record<string, string>, message: string): boolean {
  return headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(message);
}

/** `Retry-After` (seconds or an HTTP date), else `x-ratelimit-reset` (epoch seconds) relative to `now`. */
export function retryAfterMsOf(headers: Record<string, string>, now: number): number | undefined {
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers['x-ratelimit-reset']?.trim();
  if (reset && /^\d+$/.test(reset) && headers['x-ratelimit-remaining'] === '0') {
    return Math.max(0, Number(reset) * 1000 - now);
  }
  return undefined;
}

function lowerCaseHeaders(headers: Record<string, string | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) if (value !== undefined) out[key.toLowerCase()] = String(value);
  return out;
}

function messageOf(data: unknown): string | undefined {
  if (typeof data === 'string' && data.length > 0) return data;
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    const errors = (data as { errors?: unknown }).errors;
    const detail = Array.isArray(errors) && errors.length > 0 ? `: ${JSON.stringify(errors)}` : '';
    return `${(data as { message: string }).message}${detail}`;
  }
  return undefined;
}

function documentationUrlOf(data: unknown): string | undefined {
  const url = data && typeof data === 'object' ? (data as { documentation_url?: unknown }).documentation_url : undefined;
  return typeof url === 'string' ? url : undefined;
}

function pathOf(url: string | undefined): string {
  if (!url) return '(unknown)';
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}
