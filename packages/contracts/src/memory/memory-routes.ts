import type { WebhookRoute } from '../records/webhook-route';
import type { RouteFilter, RouteStore } from '../stores/route-store';
import { copy, journaledDelete, journaledSet } from './journal';
import { MemoryAccess } from './state';

export function routeOrder(a: WebhookRoute, b: WebhookRoute): number {
  const keys = (r: WebhookRoute) => [r.connectorId, r.topology, r.tenantId ?? '', r.installId ?? '', r.routeId];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

export class MemoryRouteStore extends MemoryAccess implements RouteStore {
  putRoute(route: WebhookRoute): Promise<WebhookRoute> {
    return this.guard(() => {
      const previous = this.state.routes.get(route.routeId);
      const stored: WebhookRoute = copy(
        previous ? { ...route, createdAt: previous.createdAt, revision: previous.revision + 1 } : { ...route, revision: 1 },
      );
      journaledSet(this.journal, this.state.routes, route.routeId, stored);
      return copy(stored);
    });
  }

  fetchRoute(routeId: string): Promise<WebhookRoute | null> {
    return this.guard(() => copy(this.state.routes.get(routeId) ?? null));
  }

  listRoutes(filter: RouteFilter = {}): Promise<WebhookRoute[]> {
    return this.guard(() =>
      copy(
        [...this.state.routes.values()]
          .filter((r) => Object.entries(filter).every(([k, v]) => v === undefined || (r as Record<string, unknown>)[k] === v))
          .sort(routeOrder),
      ),
    );
  }

  removeRoute(routeId: string): Promise<boolean> {
    return this.guard(() => journaledDelete(this.journal, this.state.routes, routeId));
  }
}
