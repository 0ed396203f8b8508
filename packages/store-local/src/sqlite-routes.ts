import { routeMatches, routeOrder, type RouteFilter, type RouteStore, type WebhookRoute } from '@integration/contracts';
import { SqliteAccess, json, parseRecord, parseRecords } from './sqlite-access';

export class SqliteRouteStore extends SqliteAccess implements RouteStore {
  putRoute(route: WebhookRoute): Promise<WebhookRoute> {
    return this.write(() =>
      this.h.atomic(() => {
        const previous = parseRecord<WebhookRoute>(
          this.h.stmt('SELECT record FROM routes WHERE route_id = ?').get(route.routeId) as { record: string } | undefined,
        );
        const stored = JSON.parse(
          json(previous ? { ...route, createdAt: previous.createdAt, revision: previous.revision + 1 } : { ...route, revision: 1 }),
        ) as WebhookRoute;
        this.h
          .stmt(
            `INSERT INTO routes (route_id, connector_id, revision, record) VALUES (?, ?, ?, ?)
             ON CONFLICT (route_id) DO UPDATE SET connector_id = excluded.connector_id, revision = excluded.revision, record = excluded.record`,
          )
          .run(stored.routeId, stored.connectorId, stored.revision, json(stored));
        return stored;
      }),
    );
  }

  fetchRoute(routeId: string): Promise<WebhookRoute | null> {
    return this.op(() => parseRecord<WebhookRoute>(this.h.stmt('SELECT record FROM routes WHERE route_id = ?').get(routeId) as { record: string } | undefined));
  }

  listRoutes(filter: RouteFilter = {}): Promise<WebhookRoute[]> {
    return this.op(() =>
      parseRecords<WebhookRoute>(this.h.stmt('SELECT record FROM routes').all())
        .filter((r) => routeMatches(r, filter))
        .sort(routeOrder),
    );
  }

  removeRoute(routeId: string): Promise<boolean> {
    return this.write(() => this.h.stmt('DELETE FROM routes WHERE route_id = ?').run(routeId).changes > 0);
  }
}
