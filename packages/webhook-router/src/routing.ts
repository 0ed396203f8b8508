import type { Clock, RouteStore, WebhookRoute } from '@integration/contracts';
import { defineIngress, type CapabilityResolver, type IngressDefinition } from '@integration/ingress';
import { resolveRoute, type ResolutionContext } from './resolve';
import { RouteCache, routeVersion } from './route-cache';
import { openRouteSecret, type RouteSecretSources } from './route-secrets';
import type { WebhookTarget } from './target';

/** Route resolution as a delivery needs it, cached in-process for `cacheMs`. */
export interface RouteResolver {
  /** The one active route for a delivery. */
  resolve(target: WebhookTarget, context: ResolutionContext): Promise<WebhookRoute>;
  /** The ingress definition a route stands for (its capability's schema, its opened secret), per route version. */
  definitionOf(route: WebhookRoute): Promise<IngressDefinition>;
  /** Forgets every cached list and definition: a change made through this router applies at once. */
  invalidate(): void;
}

export interface RouteResolverOptions extends RouteSecretSources {
  routes: RouteStore;
  capabilities: CapabilityResolver;
  /** 0 disables the cache. */
  cacheMs: number;
  clock: Clock;
}

async function ingressDefinitionOf(route: WebhookRoute, options: RouteResolverOptions): Promise<IngressDefinition> {
  const capability = await options.capabilities.fetchCapability(route.capabilityId);
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
          secrets: [await openRouteSecret(route, options)],
          ...(route.verification.header ? { header: route.verification.header } : {}),
          toleranceSeconds: route.verification.toleranceSeconds,
        }
      : null,
    deliveryIdHeaders: route.deliveryIdHeaders,
    dedupeTtlSeconds: route.dedupeTtlSeconds,
  });
}

export function createRouteResolver(options: RouteResolverOptions): RouteResolver {
  const routeLists = new RouteCache<WebhookRoute[]>(options.cacheMs, options.clock);
  const definitions = new RouteCache<IngressDefinition>(options.cacheMs, options.clock);
  /** The route store as the resolver sees it: active-route lists, cached. */
  const cachedRoutes: Pick<RouteStore, 'listRoutes'> = {
    listRoutes: (filter = {}) => routeLists.get(JSON.stringify(filter), () => options.routes.listRoutes(filter)),
  };
  return {
    resolve: (target, context) => resolveRoute(cachedRoutes, target, context),
    definitionOf: (route) => definitions.get(routeVersion(route), () => ingressDefinitionOf(route, options)),
    invalidate() {
      routeLists.clear();
      definitions.clear();
    },
  };
}
