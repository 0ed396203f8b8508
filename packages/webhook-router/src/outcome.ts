import type { IntegrationError } from '@integration/contracts';
import { httpStatusOf } from './status';

/** What the router answers, independent of the HTTP stack. */
export interface WebhookOutcome {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function publicMessage(status: number): string {
  return status === 503 ? 'storage is unavailable; retry later' : 'internal error';
}

/** The answer to a typed failure: its status, `Retry-After` on 503, `Connection: close` on 413. */
export function failureOutcome(error: IntegrationError): WebhookOutcome {
  const status = httpStatusOf(error);
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (status === 503) headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000)));
  // Past the limit the rest of the upload is not read: the connection closes once answered.
  if (status === 413) headers.connection = 'close';
  // The message and code are safe to return; details may describe internals, so only issues go out.
  const issues = Array.isArray(error.details.issues) ? { issues: error.details.issues } : {};
  return { status, headers, body: { error: { code: error.code, message: status >= 500 ? publicMessage(status) : error.message, ...issues } } };
}

export function methodNotAllowedOutcome(): WebhookOutcome {
  return { status: 405, headers: { ...JSON_HEADERS, allow: 'POST' }, body: { error: { code: 'invalid_request', message: 'webhooks are POSTed' } } };
}

/** 202 for a new admission, 200 for a duplicate delivery. */
export function admittedOutcome(body: { status: 'accepted' | 'duplicate'; admissionId: string; runId: string; dispatchId: string | null; routeId: string }): WebhookOutcome {
  return { status: body.status === 'duplicate' ? 200 : 202, headers: { ...JSON_HEADERS }, body };
}

export function responseOf(outcome: WebhookOutcome): Response {
  return new Response(JSON.stringify(outcome.body), { status: outcome.status, headers: outcome.headers });
}
