import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  IntegrationError,
  isIntegrationError,
  silentLogger,
  systemClock,
  type Capability,
  type Clock,
  type Logger,
  type SecretSealer,
  type Stores,
  type WebhookRoute,
} from '@integration/contracts';
import { AdmissionRejectedError, createIngress, defineIngress, normalizeHeaders, type Ingress, type IngressDefinition } from '@integration/ingress';
import { createDispatchQueue, type DispatchQueue, type EnqueueOptions, type EnqueueResult } from '@integration/dispatch';
import { DEFAULT_MAX_BODY_BYTES, readFetchBody, readNodeBody } from './body';
import { resolveRoute } from './resolve';
import { routeVersion, TtlCache } from './route-cache';
import { rewrapRouteSecrets, type RouteRewrapReport } from './rewrap-route-secrets';
import { createRouteRegistry, type RouteRegistry } from './routes';
import { httpStatusOf } from './status';
import { publishWebhook, webhookChannels } from './telemetry';

/** Resolves a secret held by auth (e.g. a connection's `webhook_secret`). */
export interface SecretResolver {
  resolveSecret(connectionId: string, secretName: string): Promise<string>;
}

export interface WebhookRouterOptions {
  stores: Stores;
  capabilities: { fetchCapability(id: string): Capability | Promise<Capability> };
  /** Seals inline route secrets (auth's key ring); required to register an inline secret. */
  sealer?: SecretSealer;
  /** Resolves `secretRef` verification secrets through auth. */
  secrets?: SecretResolver;
  ingress?: Ingress;
  queue?: DispatchQueue;
  clock?: Clock;
  logger?: Logger;
  /** Largest accepted body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** URL prefix. Default `/webhooks` (routes: `POST {basePath}/:connectorId[/:installId]`). */
  basePath?: string;
  /** Per-route dispatch options (executeRun options, maxAttempts). */
  enqueueOptions?: (route: WebhookRoute) => EnqueueOptions;
  /**
   * How long route lookups and resolved secrets are cached in this process. Route changes made
   * through this router apply at once; changes made elsewhere (another process, a rotated auth
   * secret) within this window. Default 1000 ms; 0 disables the cache.
   */
  routeCacheMs?: number;
}

/** A delivery as the router sees it, independent of the HTTP stack. */
export interface WebhookDelivery {
  method: string;
  /** Path and query (absolute URLs are accepted). */
  url: string;
  headers: Record<string, string>;
  rawBody: Uint8Array;
}

export interface WebhookOutcome {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface WebhookRouter extends RouteRegistry {
  readonly basePath: string;
  /** Routes one delivery: resolve → verify → admit + enqueue in one transaction → status. */
  deliver(delivery: WebhookDelivery): Promise<WebhookOutcome>;
  /** Fetch API handler: `Request → Response`. */
  fetchHandler(request: Request): Promise<Response>;
  /** node:http `(req, res)` listener. */
  nodeHandler(): (req: IncomingMessage, res: ServerResponse) => void;
  /** A node:http server with `nodeHandler()` (not yet listening). */
  createNodeServer(): Server;
  /** Key rotation: re-seals inline route secrets under the sealer's active key (`platform.rewrapCredentials()` calls it). */
  rewrapRouteSecrets(): Promise<RouteRewrapReport>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function failure(error: IntegrationError): WebhookOutcome {
  const status = httpStatusOf(error);
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (status === 503) headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000)));
  if (status === 413) headers.connection = 'close';
  // The message and code are safe to return; details may describe internals, so only issues go out.
  const issues = Array.isArray(error.details.issues) ? { issues: error.details.issues } : {};
  return { status, headers, body: { error: { code: error.code, message: status >= 500 ? publicMessage(status) : error.message, ...issues } } };
}

function publicMessage(status: number): string {
  return status === 503 ? 'storage is unavailable; retry later' : 'internal error';
}

export function createWebhookRouter(options: WebhookRouterOptions): WebhookRouter {
  const { stores, capabilities } = options;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ component: 'webhook-router' });
  const ingress = options.ingress ?? createIngress({ stores, capabilities, clock, logger });
  const queue = options.queue ?? createDispatchQueue({ stores, clock });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const basePath = `/${(options.basePath ?? '/webhooks').replace(/^\/+|\/+$/g, '')}`;
  const baseRegistry = createRouteRegistry({ routes: stores.routes, capabilities, sealer: options.sealer, clock });
  const cacheMs = options.routeCacheMs ?? 1_000;
  const routeLists = new TtlCache<WebhookRoute[]>(cacheMs, clock);
  const definitions = new TtlCache<IngressDefinition>(cacheMs, clock);
  const invalidating =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        routeLists.clear();
        definitions.clear();
      }
    };
  const registry = {
    ...baseRegistry,
    registerRoute: invalidating(baseRegistry.registerRoute),
    setRouteStatus: invalidating(baseRegistry.setRouteStatus),
    removeRoute: invalidating(baseRegistry.removeRoute),
    rewrapRouteSecrets: invalidating(() => rewrapRouteSecrets(stores, options.sealer, clock)),
  };
  /** The route store as the resolver sees it: active-route lists, cached for `routeCacheMs`. */
  const cachedRoutes = {
    listRoutes: (filter: Parameters<typeof stores.routes.listRoutes>[0] = {}) =>
      routeLists.get(JSON.stringify(filter), () => stores.routes.listRoutes(filter)),
  } as typeof stores.routes;

  type Target = { connectorId: string; installId?: string; query: Record<string, string> };

  /**
   * A plain `/base/connector[/install]` path (unreserved characters; no dot segments, query,
   * escapes or leading `//` authority) is its own pathname: no URL parser needed.
   */
  const plainPath = /^\/(?!\/)[A-Za-z0-9_~\-/]*$/;

  function parseTarget(url: string): Target | null {
    let path: string;
    let query: Record<string, string>;
    if (plainPath.test(url)) {
      path = url;
      query = {};
    } else {
      let parsed: URL;
      try {
        parsed = new URL(url, 'http://localhost');
      } catch {
        return null;
      }
      path = parsed.pathname;
      query = Object.fromEntries(parsed.searchParams.entries());
    }
    path = path.replace(/\/+$/, '');
    if (!path.startsWith(`${basePath}/`)) return null;
    const segments = path.slice(basePath.length + 1).split('/');
    if (segments.length < 1 || segments.length > 2 || segments.some((s) => s === '')) return null;
    let decoded: string[];
    try {
      decoded = segments.map((s) => decodeURIComponent(s));
    } catch {
      return null;
    }
    return decoded[1] === undefined ? { connectorId: decoded[0]!, query } : { connectorId: decoded[0]!, installId: decoded[1], query };
  }

  async function secretOf(route: WebhookRoute): Promise<string> {
    const verification = route.verification!;
    try {
      if (verification.sealedSecret) {
        if (!options.sealer) throw new IntegrationError('key_configuration_missing', 'no SecretSealer to open the route secret');
        return options.sealer.open(route.routeId, verification.sealedSecret);
      }
      if (!options.secrets) throw new IntegrationError('key_configuration_missing', 'no secret resolver for secretRef routes');
      return await options.secrets.resolveSecret(verification.secretRef!.connectionId, verification.secretRef!.secretName);
    } catch (error) {
      if (isIntegrationError(error)) throw error;
      throw new IntegrationError('unknown_secret', `the secret of route ${route.routeId} could not be resolved`, { cause: error });
    }
  }

  async function definitionOf(route: WebhookRoute): Promise<IngressDefinition> {
    const capability = await capabilities.fetchCapability(route.capabilityId);
    return defineIngress({
      source: 'webhook',
      connectorId: route.connectorId,
      triggerId: route.triggerId,
      capabilityId: route.capabilityId,
      signalType: route.signalType,
      signalSource: route.signalSource,
      signalSchema: capability.inputSchema,
      verification: route.verification
        ? {
            scheme: route.verification.scheme,
            secrets: [await secretOf(route)],
            ...(route.verification.header ? { header: route.verification.header } : {}),
            toleranceSeconds: route.verification.toleranceSeconds,
          }
        : null,
      deliveryIdHeaders: route.deliveryIdHeaders,
      dedupeTtlSeconds: route.dedupeTtlSeconds,
    });
  }

  function deliver(delivery: WebhookDelivery): Promise<WebhookOutcome> {
    return deliverTo(parseTarget(delivery.url), delivery);
  }

  /** `deliver` with the URL already parsed (the HTTP adapters parse it once to decide on reading the body). */
  async function deliverTo(target: Target | null, delivery: WebhookDelivery): Promise<WebhookOutcome> {
    let route: WebhookRoute | null = null;
    try {
      if (delivery.method.toUpperCase() !== 'POST') {
        return { status: 405, headers: { ...JSON_HEADERS, allow: 'POST' }, body: { error: { code: 'invalid_request', message: 'webhooks are POSTed' } } };
      }
      if (!target) throw new IntegrationError('route_not_found', `no webhook route at ${basePath}/:connectorId[/:installId]`);
      if (delivery.rawBody.byteLength > maxBodyBytes) {
        throw new IntegrationError('payload_too_large', `request body exceeds ${maxBodyBytes} bytes`);
      }
      const headers = normalizeHeaders(delivery.headers);
      let body: unknown;
      try {
        body = delivery.rawBody.byteLength === 0 ? undefined : JSON.parse(Buffer.from(delivery.rawBody).toString('utf8'));
      } catch {
        body = undefined;
      }
      route = await resolveRoute(cachedRoutes, target, { body, headers, query: target.query });
      if (!route.tenantId) throw new IntegrationError('tenant_not_found', `route ${route.routeId} names no tenant`);
      if (webhookChannels.resolved.hasSubscribers) publishWebhook('resolved', {
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
      const resolved = route;
      const definition = await definitions.get(routeVersion(route), () => definitionOf(resolved));
      const routed = route;
      let enqueued: EnqueueResult | null = null;
      const admission = await ingress.admitWebhook(
        { tenantId: route.tenantId, headers, rawBody: delivery.rawBody, ...(body === undefined ? {} : { body }) },
        definition,
        { within: async (tx, admitted) => void (enqueued = await queue.enqueueWithin(tx, admitted, options.enqueueOptions?.(routed))) },
      );
      if (enqueued) queue.announce(enqueued);
      const job = (enqueued as EnqueueResult | null)?.job ?? null;
      const duplicate = admission.status === 'duplicate';
      return {
        status: duplicate ? 200 : 202,
        headers: { ...JSON_HEADERS },
        body: {
          status: admission.status,
          admissionId: admission.trigger.admissionId,
          runId: admission.run.runId,
          dispatchId: job?.dispatchId ?? null,
          routeId: route.routeId,
        },
      };
    } catch (error) {
      const typed = isIntegrationError(error) ? error : new IntegrationError('store_failed', 'webhook routing failed', { cause: error });
      const outcome = failure(typed);
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
  }

  async function fetchHandler(request: Request): Promise<Response> {
    let rawBody: Uint8Array;
    const target = parseTarget(request.url);
    if (request.method.toUpperCase() === 'POST' && target) {
      try {
        rawBody = await readFetchBody(request, maxBodyBytes);
      } catch (error) {
        const outcome = failure(isIntegrationError(error) ? error : new IntegrationError('invalid_request', 'body could not be read'));
        publishWebhook('failed', { code: (outcome.body.error as { code: string }).code, status: outcome.status, connectorId: target.connectorId });
        return new Response(JSON.stringify(outcome.body), { status: outcome.status, headers: outcome.headers });
      }
    } else rawBody = new Uint8Array(0);
    const outcome = await deliverTo(target, { method: request.method, url: request.url, headers: normalizeHeaders(request.headers), rawBody });
    return new Response(JSON.stringify(outcome.body), { status: outcome.status, headers: outcome.headers });
  }

  function nodeHandler() {
    return (req: IncomingMessage, res: ServerResponse): void => {
      const respond = (outcome: WebhookOutcome) => {
        const payload = JSON.stringify(outcome.body);
        res.writeHead(outcome.status, { ...outcome.headers, 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
        // Past the limit the rest of the upload is not read: close the connection once answered.
        if (outcome.status === 413) res.once('finish', () => req.socket.destroy());
      };
      const run = async () => {
        const url = req.url ?? '/';
        const method = req.method ?? 'GET';
        let rawBody: Uint8Array = new Uint8Array(0);
        const target = parseTarget(url);
        if (method.toUpperCase() === 'POST' && target) {
          try {
            rawBody = await readNodeBody(req, maxBodyBytes);
          } catch (error) {
            const typed = isIntegrationError(error) ? error : new IntegrationError('invalid_request', 'body could not be read');
            publishWebhook('failed', { code: typed.code, status: httpStatusOf(typed) });
            return respond(failure(typed));
          }
        } else req.resume();
        respond(await deliverTo(target, { method, url, headers: normalizeHeaders(req.headers), rawBody }));
      };
      run().catch((error: unknown) => {
        logger.error({ err: error }, 'node webhook handler crashed');
        if (!res.headersSent) respond(failure(new IntegrationError('store_failed', 'webhook routing failed')));
        else res.destroy();
      });
    };
  }

  return {
    ...registry,
    basePath,
    deliver,
    fetchHandler,
    nodeHandler,
    createNodeServer: () => createServer(nodeHandler()),
  };
}
