import { ConflictError, NotFoundError, type RouteStore, type WebhookRoute } from '@integration/contracts';

/** What tenant resolution paths may read: `body.*`, `headers.*` (lower-case), `query.*`. */
export interface ResolutionContext {
  body: unknown;
  headers: Record<string, string>;
  query: Record<string, string>;
}

const MISSING = Symbol('missing');

/** Reads a dot path through own properties only (`__proto__` and friends never resolve). */
export function readPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return MISSING;
    if (!Object.prototype.hasOwnProperty.call(node, segment)) return MISSING;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function matches(value: unknown, expected: string | number | boolean): boolean {
  if (value === expected) return true;
  return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === String(expected);
}

/**
 * Finds the one active route for a delivery. With an install id: that install's dynamic route.
 * Otherwise: the connector's static routes whose tenant resolution matches (all dot paths equal).
 * None → `route_not_found`; several → `ambiguous_route`; candidates but no match → `tenant_not_found`.
 */
export async function resolveRoute(
  routes: Pick<RouteStore, 'listRoutes'>,
  target: { connectorId: string; installId?: string | undefined },
  context: ResolutionContext,
): Promise<WebhookRoute> {
  if (target.installId) {
    const candidates = (await routes.listRoutes({ installId: target.installId, connectorId: target.connectorId, status: 'active' })).filter(
      (r) => r.topology === 'dynamic_per_install',
    );
    if (candidates.length === 0) {
      throw new NotFoundError('route_not_found', `no active webhook route for ${target.connectorId} install ${target.installId}`);
    }
    if (candidates.length > 1) {
      throw new ConflictError('ambiguous_route', `${candidates.length} active routes claim install ${target.installId}`, {
        details: { routeIds: candidates.map((r) => r.routeId) },
      });
    }
    return candidates[0]!;
  }
  const candidates = await routes.listRoutes({ connectorId: target.connectorId, topology: 'static_per_app', status: 'active' });
  if (candidates.length === 0) throw new NotFoundError('route_not_found', `no active static webhook route for connector ${target.connectorId}`);
  const matching = candidates.filter((route) =>
    Object.entries(route.tenantResolution).every(([path, expected]) => {
      const value = readPath(context, path);
      return value !== MISSING && matches(value, expected);
    }),
  );
  if (matching.length > 1) {
    throw new ConflictError('ambiguous_route', `${matching.length} static routes of ${target.connectorId} match this delivery`, {
      details: { routeIds: matching.map((r) => r.routeId) },
    });
  }
  if (matching.length === 0) throw new NotFoundError('tenant_not_found', `no static route of ${target.connectorId} resolves a tenant for this delivery`);
  return matching[0]!;
}
