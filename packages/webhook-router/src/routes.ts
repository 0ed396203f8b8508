import type { z } from 'zod';
import {
  IntegrationError,
  isoAt,
  newId,
  NotFoundError,
  parseAt,
  ValidationError,
  WebhookRouteSchema,
  type Capability,
  type Clock,
  type RouteFilter,
  type RouteStore,
  type SecretSealer,
  type WebhookRoute,
} from '@integration/contracts';
import { identityKey, RouteInputSchema, type RouteInput } from './route-input';

export interface RouteRegistryOptions {
  routes: RouteStore;
  capabilities: { fetchCapability(id: string): Capability | Promise<Capability> };
  sealer?: SecretSealer | undefined;
  clock: Clock;
}

export interface RouteRegistry {
  /** Registers a route, or updates the route with the same id or identity key (revision + 1). */
  registerRoute(input: RouteInput): Promise<WebhookRoute>;
  fetchRoute(routeId: string): Promise<WebhookRoute>;
  routes(filter?: RouteFilter): Promise<WebhookRoute[]>;
  setRouteStatus(routeId: string, status: WebhookRoute['status']): Promise<WebhookRoute>;
  removeRoute(routeId: string): Promise<boolean>;
}

/** The trigger capability a route admits runs of; `invalid_route` unless it is one of the route's connector. */
async function triggerCapability(capabilities: RouteRegistryOptions['capabilities'], capabilityId: string, connectorId: string): Promise<Capability> {
  let capability: Capability;
  try {
    capability = await capabilities.fetchCapability(capabilityId);
  } catch (error) {
    throw new ValidationError('invalid_route', `route capability ${capabilityId} is not registered`, { cause: error });
  }
  if (capability.kind !== 'trigger' || capability.connectorId !== connectorId) {
    throw new ValidationError('invalid_route', `capability ${capabilityId} is not a trigger of connector ${connectorId}`);
  }
  return capability;
}

/** The route a registration updates: the one with its id, else the one with its identity key. */
async function existingRoute(routes: RouteStore, routeId: string | undefined, draft: Parameters<typeof identityKey>[0]): Promise<WebhookRoute | null> {
  const byId = routeId ? await routes.fetchRoute(routeId) : null;
  if (byId) return byId;
  const key = identityKey(draft);
  const peers = await routes.listRoutes(draft.topology === 'dynamic_per_install' ? { installId: draft.installId! } : { connectorId: draft.connectorId });
  return peers.find((r) => identityKey(r) === key) ?? null;
}

/** A route's verification as it is stored (before schema defaults): an inline secret sealed under the route id, never kept in clear. */
function sealedVerification(
  input: NonNullable<RouteInput['verification']>,
  routeId: string,
  sealer: SecretSealer | undefined,
): NonNullable<z.input<typeof WebhookRouteSchema>['verification']> {
  const { scheme, header, toleranceSeconds, secret, secretRef } = input;
  if (secret !== undefined && !sealer) {
    throw new ValidationError('invalid_route', 'an inline webhook secret needs a SecretSealer (or register a secretRef held by auth)');
  }
  return {
    scheme,
    ...(header ? { header: header.toLowerCase() } : {}),
    toleranceSeconds: toleranceSeconds ?? 300,
    ...(secret !== undefined ? { sealedSecret: sealer!.seal(routeId, secret) } : {}),
    ...(secretRef ? { secretRef } : {}),
  };
}

export function createRouteRegistry(options: RouteRegistryOptions): RouteRegistry {
  const { routes, capabilities, sealer, clock } = options;

  async function fetchRoute(routeId: string): Promise<WebhookRoute> {
    const route = await routes.fetchRoute(routeId);
    if (!route) throw new NotFoundError('unknown_route', `no webhook route ${routeId}`);
    return route;
  }

  return {
    async registerRoute(input) {
      const parsed = parseAt(RouteInputSchema, input, 'webhook route', 'invalid_route');
      const capabilityId = parsed.capabilityId ?? parsed.triggerId;
      const capability = await triggerCapability(capabilities, capabilityId, parsed.connectorId);
      const draft = {
        connectorId: parsed.connectorId,
        tenantId: parsed.tenantId ?? null,
        connectionId: parsed.connectionId ?? null,
        installId: parsed.installId ?? null,
        triggerId: parsed.triggerId,
        topology: parsed.topology,
        tenantResolution: parsed.tenantResolution ?? {},
      };
      const existing = await existingRoute(routes, parsed.routeId, draft);
      const routeId = existing?.routeId ?? parsed.routeId ?? newId('route', clock.now());
      const at = isoAt(clock.now());
      const verification = parsed.verification ? sealedVerification(parsed.verification, routeId, sealer) : null;
      const trigger = capability.trigger;
      const route = parseAt(
        WebhookRouteSchema,
        {
          routeId,
          ...draft,
          capabilityId,
          signalType: parsed.signalType ?? trigger?.signalType,
          signalSource: parsed.signalSource ?? trigger?.signalSource,
          status: parsed.status ?? 'active',
          deliveryIdHeaders: parsed.deliveryIdHeaders ?? (trigger?.deliveryIdHeader ? [trigger.deliveryIdHeader] : []),
          verification,
          dedupeTtlSeconds: parsed.dedupeTtlSeconds ?? 86_400,
          revision: existing ? existing.revision + 1 : 1,
          createdAt: existing?.createdAt ?? at,
          updatedAt: at,
        },
        'webhook route',
        'invalid_route',
      );
      return routes.putRoute(route);
    },
    fetchRoute,
    routes: (filter) => routes.listRoutes(filter),
    async setRouteStatus(routeId, status) {
      const route = await fetchRoute(routeId);
      if (!['active', 'disabled', 'revoked'].includes(status)) throw new ValidationError('invalid_route', `unknown route status ${String(status)}`);
      if (route.status === 'revoked' && status !== 'revoked') {
        throw new IntegrationError('invalid_route', `route ${routeId} is revoked; register a new route instead`);
      }
      return routes.putRoute({ ...route, status, revision: route.revision + 1, updatedAt: isoAt(clock.now()) });
    },
    removeRoute: (routeId) => routes.removeRoute(routeId),
  };
}
