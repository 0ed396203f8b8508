import { IntegrationError, isIntegrationError } from '@integration/contracts';
import { normalizeHeaders } from '@integration/ingress';
import { readFetchBody } from './body';
import type { DeliverTo } from './delivery';
import { failureOutcome, responseOf } from './outcome';
import type { WebhookTarget } from './target';
import { publishWebhook } from './telemetry';

export interface FetchHandlerOptions {
  parseTarget(url: string): WebhookTarget | null;
  deliverTo: DeliverTo;
  maxBodyBytes: number;
}

/**
 * The router's one HTTP request path, `Request → Response` (the node:http adapter is derived from
 * it). The body is read only for a POST to a route URL, and reading stops past `maxBodyBytes`.
 */
export function createFetchHandler(options: FetchHandlerOptions): (request: Request) => Promise<Response> {
  const { parseTarget, deliverTo, maxBodyBytes } = options;
  return async (request) => {
    let rawBody: Uint8Array = new Uint8Array(0);
    const target = parseTarget(request.url);
    if (request.method.toUpperCase() === 'POST' && target) {
      try {
        rawBody = await readFetchBody(request, maxBodyBytes);
      } catch (error) {
        const outcome = failureOutcome(isIntegrationError(error) ? error : new IntegrationError('invalid_request', 'body could not be read'));
        publishWebhook('failed', { code: (outcome.body.error as { code: string }).code, status: outcome.status, connectorId: target.connectorId });
        return responseOf(outcome);
      }
    }
    return responseOf(await deliverTo(target, { method: request.method, url: request.url, headers: normalizeHeaders(request.headers), rawBody }));
  };
}
