import type { WebhookRoute } from '../records/webhook-route';

export interface RouteFilter {
  connectorId?: string;
  installId?: string;
  tenantId?: string;
  status?: WebhookRoute['status'];
  topology?: WebhookRoute['topology'];
}

/** Webhook routes with revisions. */
export interface RouteStore {
  /** Upsert by routeId: a new route is stored at revision 1; an existing one keeps createdAt and gets revision + 1. */
  putRoute(route: WebhookRoute): Promise<WebhookRoute>;
  fetchRoute(routeId: string): Promise<WebhookRoute | null>;
  /** Ordered by connectorId, topology, tenantId, installId, routeId. */
  listRoutes(filter?: RouteFilter): Promise<WebhookRoute[]>;
  removeRoute(routeId: string): Promise<boolean>;
}
