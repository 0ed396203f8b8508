import type { WebhookRoute } from '../records/webhook-route';
import type { RouteFilter } from './route-store';

/** The order every tier lists routes in: connectorId, topology, tenantId, installId, routeId. */
export function routeOrder(a: WebhookRoute, b: WebhookRoute): number {
  const keys = (r: WebhookRoute) => [r.connectorId, r.topology, r.tenantId ?? '', r.installId ?? '', r.routeId];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

export function routeMatches(route: WebhookRoute, filter: RouteFilter): boolean {
  return Object.entries(filter).every(([k, v]) => v === undefined || (route as Record<string, unknown>)[k] === v);
}
