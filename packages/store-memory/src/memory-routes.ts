import { routeMatches, routeOrder, type RouteFilter, type RouteStore, type WebhookRoute } from '@integration/contracts';
import { copy, journaledDelete, journaledSet } from './journal';
import { MemoryAccess } from './state';

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
          .filter((r) => routeMatches(r, filter))
          .sort(routeOrder),
      ),
    );
  }

  removeRoute(routeId: string): Promise<boolean> {
    return this.guard(() => journaledDelete(this.journal, this.state.routes, routeId));
  }
}
