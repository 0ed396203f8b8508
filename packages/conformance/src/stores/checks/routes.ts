import type { StoreCheck } from '../battery';
import { assert } from '../assert';
import { at, route } from '../fixtures';

export const routeChecks: StoreCheck[] = [
  {
    id: 'routes.revisions_and_order',
    title: 'routes start at revision 1, bump and keep createdAt on upsert, list in route order, remove',
    async run({ stores }) {
      const r1 = route('route_b', { revision: 9 });
      const stored = await stores.routes.putRoute(r1);
      assert.deepEqual(stored, { ...r1, revision: 1 });
      const again = await stores.routes.putRoute({ ...r1, status: 'disabled', createdAt: at(500), updatedAt: at(500) });
      assert.deepEqual(again, { ...r1, status: 'disabled', createdAt: r1.createdAt, updatedAt: at(500), revision: 2 });
      assert.deepEqual(await stores.routes.fetchRoute('route_b'), again);
      const r2 = route('route_a');
      const r3 = route('route_c', { topology: 'static_per_app', tenantId: null, installId: null });
      const r4 = route('route_d', { connectorId: 'aaa', installId: 'ins_2' });
      const r5 = route('route_e', { installId: 'ins_0', tenantId: 'tenant-b' });
      for (const r of [r2, r3, r4, r5]) await stores.routes.putRoute(r);
      assert.deepEqual((await stores.routes.listRoutes()).map((r) => r.routeId), ['route_d', 'route_a', 'route_b', 'route_e', 'route_c']);
      assert.deepEqual((await stores.routes.listRoutes({ connectorId: 'acme', status: 'active' })).map((r) => r.routeId), ['route_a', 'route_e', 'route_c']);
      assert.deepEqual((await stores.routes.listRoutes({ topology: 'static_per_app' })).map((r) => r.routeId), ['route_c']);
      assert.deepEqual((await stores.routes.listRoutes({ installId: 'ins_1', tenantId: 'tenant-a' })).map((r) => r.routeId), ['route_a', 'route_b']);
      assert.equal(await stores.routes.removeRoute('route_a'), true);
      assert.equal(await stores.routes.removeRoute('route_a'), false);
      assert.equal(await stores.routes.fetchRoute('route_a'), null);
      assert.equal((await stores.routes.putRoute(r2)).revision, 1, 'a removed route starts over');
    },
  },
];
