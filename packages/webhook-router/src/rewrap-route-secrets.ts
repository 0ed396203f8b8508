import { isoAt, resealEnvelope, type Clock, type SecretSealer, type Stores, type WebhookRoute } from '@integration/contracts';

export interface RouteRewrapReport {
  /** Routes whose inline secret was re-sealed under the active key. */
  routes: number;
  /** Routes whose sealed secret could not be opened (its key is no longer in the ring, or no sealer). */
  unsealable: string[];
}

const sealedSecretOf = (route: WebhookRoute | null) => route?.verification?.sealedSecret ?? null;

/**
 * Key rotation for routes registered with an inline secret: each one not sealed under the active
 * key is opened and sealed again, in a transaction of its own that re-reads the route first (so a
 * route re-registered meanwhile is not overwritten with its old secret). The store bumps the
 * revision, so routers' cached definitions refresh. Afterwards the old key can leave the ring.
 */
export async function rewrapRouteSecrets(stores: Stores, sealer: SecretSealer | undefined, clock: Clock): Promise<RouteRewrapReport> {
  const report: RouteRewrapReport = { routes: 0, unsealable: [] };
  const stale = (route: WebhookRoute | null) => {
    const envelope = sealedSecretOf(route);
    return envelope !== null && (sealer?.needsRewrap?.(envelope) ?? true);
  };
  for (const listed of await stores.routes.listRoutes()) {
    if (!stale(listed)) continue;
    if (!sealer) {
      report.unsealable.push(listed.routeId);
      continue;
    }
    await stores.transaction(async (tx) => {
      const route = await tx.routes.fetchRoute(listed.routeId);
      if (!route || !stale(route)) return;
      const sealedSecret = resealEnvelope(sealer, route.routeId, sealedSecretOf(route)!);
      if (!sealedSecret) {
        report.unsealable.push(route.routeId);
        return;
      }
      await tx.routes.putRoute({ ...route, verification: { ...route.verification!, sealedSecret }, updatedAt: isoAt(clock.now()) });
      report.routes += 1;
    });
  }
  return report;
}
