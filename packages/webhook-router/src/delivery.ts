import { IntegrationError, isIntegrationError, type Logger, type WebhookRoute } from '@integration/contracts';
import type { DispatchQueue, EnqueueOptions, EnqueueResult } from '@integration/dispatch';
import { AdmissionRejectedError, normalizeHeaders, type Ingress } from '@integration/ingress';
import { admittedOutcome, failureOutcome, methodNotAllowedOutcome, type WebhookOutcome } from './outcome';
import type { RouteResolver } from './routing';
import type { WebhookTarget } from './target';
import { publishWebhook, webhookChannels } from './telemetry';

/** A delivery as the router sees it, independent of the HTTP stack. */
export interface WebhookDelivery {
  method: string;
  /** Path and query (absolute URLs are accepted). */
  url: string;
  headers: Record<string, string>;
  rawBody: Uint8Array;
}

export interface DeliveryOptions {
  resolver: RouteResolver;
  ingress: Ingress;
  queue: DispatchQueue;
  logger: Logger;
  basePath: string;
  maxBodyBytes: number;
  enqueueOptions?: (route: WebhookRoute) => EnqueueOptions;
}

/** Routes one delivery whose URL is already parsed: resolve → verify → admit + enqueue in one transaction. */
export type DeliverTo = (target: WebhookTarget | null, delivery: WebhookDelivery) => Promise<WebhookOutcome>;

function decodedBody(rawBody: Uint8Array): unknown {
  try {
    return rawBody.byteLength === 0 ? undefined : JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch {
    return undefined;
  }
}

function publishResolved(route: WebhookRoute & { tenantId: string }, headers: Record<string, string>): void {
  if (!webhookChannels.resolved.hasSubscribers) return;
  publishWebhook('resolved', {
    routeId: route.routeId,
    connectorId: route.connectorId,
    tenantId: route.tenantId,
    installId: route.installId,
    triggerId: route.triggerId,
    topology: route.topology,
    revision: route.revision,
    // Names only: a header value may be somebody's credential (Authorization, Cookie…).
    headerNames: Object.keys(headers).sort(),
  });
}

export function createDeliverTo(options: DeliveryOptions): DeliverTo {
  const { resolver, ingress, queue, logger, maxBodyBytes } = options;

  /** Admits the delivery on a resolved route; the dispatch job is enqueued inside the admission transaction. */
  async function admit(route: WebhookRoute & { tenantId: string }, headers: Record<string, string>, delivery: WebhookDelivery, body: unknown) {
    const definition = await resolver.definitionOf(route);
    let enqueued: EnqueueResult | null = null;
    const admission = await ingress.admitWebhook(
      { tenantId: route.tenantId, headers, rawBody: delivery.rawBody, ...(body === undefined ? {} : { body }) },
      definition,
      { within: async (tx, admitted) => void (enqueued = await queue.enqueueWithin(tx, admitted, options.enqueueOptions?.(route))) },
    );
    if (enqueued) queue.announce(enqueued);
    return admittedOutcome({
      status: admission.status,
      admissionId: admission.trigger.admissionId,
      runId: admission.run.runId,
      dispatchId: (enqueued as EnqueueResult | null)?.job.dispatchId ?? null,
      routeId: route.routeId,
    });
  }

  function refused(error: unknown, target: WebhookTarget | null, route: WebhookRoute | null): WebhookOutcome {
    const typed = isIntegrationError(error) ? error : new IntegrationError('store_failed', 'webhook routing failed', { cause: error });
    const outcome = failureOutcome(typed);
    publishWebhook('failed', {
      code: typed.code,
      status: outcome.status,
      connectorId: target?.connectorId ?? null,
      installId: target?.installId ?? null,
      routeId: route?.routeId ?? null,
      admissionId: error instanceof AdmissionRejectedError ? (error.trigger?.admissionId ?? null) : null,
    });
    if (outcome.status >= 500) logger.error({ err: typed, routeId: route?.routeId }, 'webhook delivery failed');
    else logger.info({ code: typed.code, routeId: route?.routeId }, 'webhook delivery refused');
    return outcome;
  }

  return async (target, delivery) => {
    let route: WebhookRoute | null = null;
    try {
      if (delivery.method.toUpperCase() !== 'POST') return methodNotAllowedOutcome();
      if (!target) throw new IntegrationError('route_not_found', `no webhook route at ${options.basePath}/:connectorId[/:installId]`);
      if (delivery.rawBody.byteLength > maxBodyBytes) {
        throw new IntegrationError('payload_too_large', `request body exceeds ${maxBodyBytes} bytes`);
      }
      const headers = normalizeHeaders(delivery.headers);
      const body = decodedBody(delivery.rawBody);
      route = await resolver.resolve(target, { body, headers, query: target.query });
      if (!route.tenantId) throw new IntegrationError('tenant_not_found', `route ${route.routeId} names no tenant`);
      const tenanted = route as WebhookRoute & { tenantId: string };
      publishResolved(tenanted, headers);
      return await admit(tenanted, headers, delivery, body);
    } catch (error) {
      return refused(error, target, route);
    }
  };
}
