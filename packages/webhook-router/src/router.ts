import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { silentLogger, systemClock, type Clock, type Logger, type SecretSealer, type Stores, type WebhookRoute } from '@integration/contracts';
import { createIngress, type CapabilityResolver, type Ingress } from '@integration/ingress';
import { createDispatchQueue, type DispatchQueue, type EnqueueOptions } from '@integration/dispatch';
import { DEFAULT_MAX_BODY_BYTES } from './body';
import { createDeliverTo, type WebhookDelivery } from './delivery';
import { createFetchHandler } from './fetch-handler';
import { nodeListenerOf } from './node-adapter';
import type { WebhookOutcome } from './outcome';
import { rewrapRouteSecrets, type RouteRewrapReport } from './rewrap-route-secrets';
import type { SecretResolver } from './route-secrets';
import { createRouteRegistry, type RouteRegistry } from './routes';
import { createRouteResolver, type RouteResolver } from './routing';
import { normalizeBasePath, parseTarget } from './target';

export interface WebhookRouterOptions {
  stores: Stores;
  capabilities: CapabilityResolver;
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

export interface WebhookRouter extends RouteRegistry {
  readonly basePath: string;
  /** Routes one delivery: resolve → verify → admit + enqueue in one transaction → status. */
  deliver(delivery: WebhookDelivery): Promise<WebhookOutcome>;
  /** Fetch API handler: `Request → Response`. */
  fetchHandler(request: Request): Promise<Response>;
  /** node:http `(req, res)` listener, derived from `fetchHandler`. */
  nodeHandler(): (req: IncomingMessage, res: ServerResponse) => void;
  /** A node:http server with `nodeHandler()` (not yet listening). */
  createNodeServer(): Server;
  /** Key rotation: re-seals inline route secrets under the sealer's active key (`platform.rewrapCredentials()` calls it). */
  rewrapRouteSecrets(): Promise<RouteRewrapReport>;
}

/** The registry, with every change made through it clearing the resolver's caches. */
function invalidatingRegistry(options: WebhookRouterOptions, clock: Clock, resolver: RouteResolver): RouteRegistry & Pick<WebhookRouter, 'rewrapRouteSecrets'> {
  const { stores, sealer } = options;
  const base = createRouteRegistry({ routes: stores.routes, capabilities: options.capabilities, sealer, clock });
  const invalidating =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        resolver.invalidate();
      }
    };
  return {
    ...base,
    registerRoute: invalidating(base.registerRoute),
    setRouteStatus: invalidating(base.setRouteStatus),
    removeRoute: invalidating(base.removeRoute),
    rewrapRouteSecrets: invalidating(() => rewrapRouteSecrets(stores, sealer, clock)),
  };
}

export function createWebhookRouter(options: WebhookRouterOptions): WebhookRouter {
  const { stores, capabilities } = options;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ component: 'webhook-router' });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const basePath = normalizeBasePath(options.basePath);
  const resolver = createRouteResolver({
    routes: stores.routes,
    capabilities,
    sealer: options.sealer,
    secrets: options.secrets,
    cacheMs: options.routeCacheMs ?? 1_000,
    clock,
  });
  const deliverTo = createDeliverTo({
    resolver,
    ingress: options.ingress ?? createIngress({ stores, capabilities, clock, logger }),
    queue: options.queue ?? createDispatchQueue({ stores, clock }),
    logger,
    basePath,
    maxBodyBytes,
    enqueueOptions: options.enqueueOptions,
  });
  const targetOf = (url: string) => parseTarget(url, basePath);
  const fetchHandler = createFetchHandler({ parseTarget: targetOf, deliverTo, maxBodyBytes });
  const nodeHandler = () => nodeListenerOf(fetchHandler, logger);
  return {
    ...invalidatingRegistry(options, clock, resolver),
    basePath,
    deliver: (delivery) => deliverTo(targetOf(delivery.url), delivery),
    fetchHandler,
    nodeHandler,
    createNodeServer: () => createServer(nodeHandler()),
  };
}
