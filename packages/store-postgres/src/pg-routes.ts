import { routeMatches, routeOrder, type RouteFilter, type RouteStore, type WebhookRoute } from '@integration/contracts';
import { PgAccess, first, json, plain, records } from './pg-context';

export class PgRouteStore extends PgAccess implements RouteStore {
  /** Read the previous revision under a row lock (the insert of a new id is guarded by the key). */
  async putRoute(route: WebhookRoute): Promise<WebhookRoute> {
    return this.q.atomic(async (q) => {
      for (;;) {
        const previous = first<WebhookRoute>((await q.query(`SELECT record FROM ${this.t('routes')} WHERE route_id = $1 FOR UPDATE`, [route.routeId])).rows);
        const stored = plain(previous ? { ...route, createdAt: previous.createdAt, revision: previous.revision + 1 } : { ...route, revision: 1 });
        if (previous) {
          await q.query(`UPDATE ${this.t('routes')} SET connector_id = $2, revision = $3, record = $4::json WHERE route_id = $1`, [
            stored.routeId,
            stored.connectorId,
            stored.revision,
            json(stored),
          ]);
          return stored;
        }
        const inserted = await q.query(
          `INSERT INTO ${this.t('routes')} (route_id, connector_id, revision, record) VALUES ($1, $2, $3, $4::json) ON CONFLICT (route_id) DO NOTHING`,
          [stored.routeId, stored.connectorId, stored.revision, json(stored)],
        );
        if (inserted.rowCount) return stored;
        // A concurrent writer created the route first: read it again (now committed) and bump.
      }
    });
  }

  async fetchRoute(routeId: string): Promise<WebhookRoute | null> {
    return first<WebhookRoute>((await this.q.query(`SELECT record FROM ${this.t('routes')} WHERE route_id = $1`, [routeId])).rows);
  }

  async listRoutes(filter: RouteFilter = {}): Promise<WebhookRoute[]> {
    return records<WebhookRoute>((await this.q.query(`SELECT record FROM ${this.t('routes')}`)).rows)
      .filter((r) => routeMatches(r, filter))
      .sort(routeOrder);
  }

  async removeRoute(routeId: string): Promise<boolean> {
    return ((await this.q.query(`DELETE FROM ${this.t('routes')} WHERE route_id = $1`, [routeId])).rowCount ?? 0) > 0;
  }
}
