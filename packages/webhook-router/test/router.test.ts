import diagnostics from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIntegrationError, ManualClock, type Stores } from '@integration/contracts';
import type { DispatchWorker } from '@integration/dispatch';
import { availableTiers, type TierHandle } from '../../dispatch/test/support/tiers';
import { waitFor, WEBHOOK_SECRET } from '../../dispatch/test/support/fixtures';
import { installWithSecret, post, stack } from './support';

const tiers = await availableTiers('router');

const order = (n: number, extra: Record<string, unknown> = {}) => ({ orderId: `o-${n}`, amount: n, ...extra });

describe.each(tiers)('webhook router on $name', (tier) => {
  let handle: TierHandle;
  let stores: Stores;
  let s: ReturnType<typeof stack>;
  const workers: DispatchWorker[] = [];

  beforeEach(async () => {
    handle = await tier.create();
    stores = handle.stores;
    s = stack(stores);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop({ graceMs: 2_000 });
    await handle.cleanup();
  });

  const dynamicRoute = (installId = 'ins-1', tenantId = 'tenant-a') =>
    s.router.registerRoute({
      connectorId: 'acme',
      triggerId: 'acme.order.created',
      topology: 'dynamic_per_install',
      installId,
      tenantId,
      verification: { scheme: 'github', secret: WEBHOOK_SECRET },
    });

  it('signed webhook → route → ingress → dispatch → run completed; replay → 200 duplicate, one run', async () => {
    const route = await dynamicRoute();
    expect(route).toMatchObject({ revision: 1, status: 'active', deliveryIdHeaders: ['x-acme-delivery'], signalType: 'com.acme.order.created' });
    expect(JSON.stringify(route)).not.toContain(WEBHOOK_SECRET);

    const res = await s.router.fetchHandler(post('/webhooks/acme/ins-1', order(1), { delivery: 'dlv-1' }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { status: string; runId: string; dispatchId: string; admissionId: string };
    expect(body.status).toBe('accepted');
    // Durable before 2xx: the run, trigger and job are all stored already.
    expect(await stores.ledger.fetchRun(body.runId)).toMatchObject({ status: 'accepted', tenantId: 'tenant-a' });
    expect(await stores.dispatch.fetchJob(body.dispatchId)).toMatchObject({ status: 'queued', runId: body.runId });
    expect((await stores.ingress.fetchTrigger(body.admissionId))?.externalId).toBe('dlv-1');

    const worker = s.worker();
    workers.push(worker);
    worker.start();
    await waitFor(() => stores.dispatch.fetchJob(body.dispatchId), (j) => j?.status === 'completed');
    expect(await stores.ledger.fetchRun(body.runId)).toMatchObject({ status: 'completed', result: { orderId: 'o-1', attempt: 1 } });

    const again = await s.router.fetchHandler(post('/webhooks/acme/ins-1', order(1), { delivery: 'dlv-1' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'duplicate', runId: body.runId, dispatchId: body.dispatchId });
    expect(await stores.ledger.listRuns({ capabilityId: 'acme.order.created' })).toHaveLength(1);
    expect(await stores.ledger.listAttempts(body.runId)).toHaveLength(1);
  });

  it('bad signature → 401 and a stored rejection, no run', async () => {
    await dynamicRoute();
    const res = await s.router.fetchHandler(post('/webhooks/acme/ins-1', order(2), { delivery: 'dlv-2', secret: 'not-the-secret' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'signature_invalid' } });
    const rejected = await stores.ingress.listTriggers({ status: 'rejected' });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ externalId: 'dlv-2', rejectionReason: { code: 'signature_invalid' }, runId: null });
    expect(await stores.ledger.listRuns()).toHaveLength(0);
    expect(await stores.dispatch.listJobs()).toHaveLength(0);
  });

  it('unknown route, unknown install, disabled route, bad path → 404; GET → 405', async () => {
    const route = await dynamicRoute();
    expect((await s.router.fetchHandler(post('/webhooks/nobody/ins-1', order(3)))).status).toBe(404);
    expect((await s.router.fetchHandler(post('/webhooks/acme/ins-404', order(3)))).status).toBe(404);
    expect((await s.router.fetchHandler(post('/elsewhere/acme/ins-1', order(3)))).status).toBe(404);
    expect((await s.router.fetchHandler(post('/webhooks/acme/ins-1/extra', order(3)))).status).toBe(404);
    expect((await s.router.fetchHandler(new Request('http://127.0.0.1/webhooks/acme/ins-1'))).status).toBe(405);
    const disabled = await s.router.setRouteStatus(route.routeId, 'disabled');
    expect(disabled).toMatchObject({ status: 'disabled', revision: 2 });
    const res = await s.router.fetchHandler(post('/webhooks/acme/ins-1', order(3)));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'route_not_found' } });
    await s.router.setRouteStatus(route.routeId, 'revoked');
    let code: string | undefined;
    try {
      await s.router.setRouteStatus(route.routeId, 'active');
    } catch (error) {
      code = isIntegrationError(error) ? error.code : undefined;
    }
    expect(code).toBe('invalid_route');
  });

  it('static routes resolve the tenant by dot paths; no match → 404, two matches → 409', async () => {
    await s.router.registerRoute({
      connectorId: 'acme',
      triggerId: 'acme.order.created',
      topology: 'static_per_app',
      tenantId: 'tenant-x',
      tenantResolution: { 'body.account.id': 42 },
      verification: { scheme: 'github', secret: WEBHOOK_SECRET },
    });
    await s.router.registerRoute({
      connectorId: 'acme',
      triggerId: 'acme.order.created',
      topology: 'static_per_app',
      tenantId: 'tenant-y',
      tenantResolution: { 'headers.x-acme-account': 'y' },
      verification: { scheme: 'github', secret: WEBHOOK_SECRET },
    });
    const x = await s.router.fetchHandler(post('/webhooks/acme', order(4, { account: { id: 42 } })));
    expect(x.status).toBe(202);
    const { runId } = (await x.json()) as { runId: string };
    expect((await stores.ledger.fetchRun(runId))?.tenantId).toBe('tenant-x');

    const none = await s.router.fetchHandler(post('/webhooks/acme', order(5, { account: { id: 7 } })));
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: 'tenant_not_found' } });
    const proto = await s.router.fetchHandler(post('/webhooks/acme', order(5), { raw: '{"orderId":"o","amount":1,"__proto__":{"account":{"id":42}}}' }));
    expect(proto.status).toBe(404);

    const both = await s.router.fetchHandler(post('/webhooks/acme', order(6, { account: { id: 42 } }), { headers: { 'x-acme-account': 'y' } }));
    expect(both.status).toBe(409);
    expect(await both.json()).toMatchObject({ error: { code: 'ambiguous_route' } });
  });

  it('oversized bodies → 413 (declared or streamed), invalid payloads → 422', async () => {
    const small = stack(stores, { maxBodyBytes: 256 });
    await small.router.registerRoute({ connectorId: 'acme', triggerId: 'acme.order.created', topology: 'dynamic_per_install', installId: 'ins-1', tenantId: 'tenant-a', verification: { scheme: 'github', secret: WEBHOOK_SECRET } });
    const big = order(7, { note: 'x'.repeat(1_000) });
    expect((await small.router.fetchHandler(post('/webhooks/acme/ins-1', big))).status).toBe(413);
    // A streamed body with no content-length is cut off past the limit.
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 1_000) return controller.close();
        controller.enqueue(new TextEncoder().encode('x'.repeat(100)));
      },
    });
    const streamed = new Request('http://127.0.0.1/webhooks/acme/ins-1', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect((await small.router.fetchHandler(streamed)).status).toBe(413);
    expect(pulled).toBeLessThan(10);

    const invalid = await small.router.fetchHandler(post('/webhooks/acme/ins-1', { orderId: '', amount: 'no' }));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ error: { code: 'invalid_trigger', issues: expect.any(Array) } });
    const notJson = await small.router.fetchHandler(post('/webhooks/acme/ins-1', null, { raw: '{broken' }));
    expect(notJson.status).toBe(422);
    expect(await stores.ledger.listRuns()).toHaveLength(0);
  });

  it('route changes made elsewhere apply within routeCacheMs; changes made here apply at once', async () => {
    const clock = new ManualClock(Date.now());
    const cached = stack(stores, { clock, routeCacheMs: 1_000 });
    const elsewhere = stack(stores);
    const route = await cached.router.registerRoute({ connectorId: 'acme', triggerId: 'acme.order.created', topology: 'dynamic_per_install', installId: 'ins-c', tenantId: 'tenant-a', verification: { scheme: 'github', secret: WEBHOOK_SECRET } });
    expect((await cached.router.fetchHandler(post('/webhooks/acme/ins-c', order(30)))).status).toBe(202);
    await elsewhere.router.setRouteStatus(route.routeId, 'disabled');
    clock.advance(1_001);
    expect((await cached.router.fetchHandler(post('/webhooks/acme/ins-c', order(31)))).status).toBe(404);
    await cached.router.setRouteStatus(route.routeId, 'active');
    expect((await cached.router.fetchHandler(post('/webhooks/acme/ins-c', order(32)))).status).toBe(202);
    await cached.router.setRouteStatus(route.routeId, 'revoked');
    expect((await cached.router.fetchHandler(post('/webhooks/acme/ins-c', order(33)))).status).toBe(404);
  });

  it('register is an upsert by identity key (revision + 1); inline secrets are sealed', async () => {
    const first = await dynamicRoute('ins-9');
    const second = await s.router.registerRoute({
      connectorId: 'acme',
      triggerId: 'acme.order.created',
      topology: 'dynamic_per_install',
      installId: 'ins-9',
      tenantId: 'tenant-a',
      deliveryIdHeaders: ['X-Other-Delivery'],
      verification: { scheme: 'github', secret: 'rotated-secret-0001' },
    });
    expect(second.routeId).toBe(first.routeId);
    expect(second.revision).toBe(2);
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.deliveryIdHeaders).toEqual(['x-other-delivery']);
    expect(second.verification?.sealedSecret?.alg).toBe('A256GCM');
    expect(await s.router.routes({ installId: 'ins-9' })).toHaveLength(1);
    expect((await s.router.fetchHandler(post('/webhooks/acme/ins-9', order(8)))).status).toBe(401);
    expect((await s.router.fetchHandler(post('/webhooks/acme/ins-9', order(8), { secret: 'rotated-secret-0001' }))).status).toBe(202);
    let code: string | undefined;
    try {
      await s.router.registerRoute({ connectorId: 'acme', triggerId: 'acme.order.created', topology: 'dynamic_per_install', tenantId: 't' });
    } catch (error) {
      code = isIntegrationError(error) ? error.code : undefined;
    }
    expect(code).toBe('invalid_route');
  });

  it('secretRef verification resolves the secret through auth; secrets never reach records or telemetry (header values are not published)', async () => {
    const canary = 'whsec-canary-value-5a1b2c3d';
    const { connection, install } = await installWithSecret(s.auth, 'tenant-r', canary);
    await s.router.registerRoute({
      connectorId: 'acme',
      triggerId: 'acme.order.created',
      topology: 'dynamic_per_install',
      installId: install.installId,
      tenantId: 'tenant-r',
      connectionId: connection.connectionId,
      verification: { scheme: 'github', secretRef: { connectionId: connection.connectionId } },
    });
    const seen: unknown[] = [];
    const listener = (m: unknown) => void seen.push(m);
    diagnostics.subscribe('integration:webhook:resolved', listener);
    diagnostics.subscribe('integration:webhook:failed', listener);
    try {
      const ok = await s.router.fetchHandler(
        post(`/webhooks/acme/${install.installId}`, order(9, { client_secret: 'body-canary-secret-99' }), { secret: canary, headers: { authorization: 'Bearer header-canary-token-1' } }),
      );
      expect(ok.status).toBe(202);
      expect((await s.router.fetchHandler(post(`/webhooks/acme/${install.installId}`, order(10), { secret: WEBHOOK_SECRET }))).status).toBe(401);
    } finally {
      diagnostics.unsubscribe('integration:webhook:resolved', listener);
      diagnostics.unsubscribe('integration:webhook:failed', listener);
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]).toMatchObject({ headerNames: expect.arrayContaining(['authorization', 'content-type']) });
    const dump = JSON.stringify([seen, await stores.routes.listRoutes(), await stores.ingress.listTriggers(), await stores.ledger.listRuns(), await stores.dispatch.listJobs()]);
    for (const secret of [canary, 'body-canary-secret-99', 'header-canary-token-1', 'tok-canary-api-token-77']) expect(dump).not.toContain(secret);
  });

  it('the node:http adapter speaks the same protocol, and cuts off oversized uploads', async () => {
    const small = stack(stores, { maxBodyBytes: 512 });
    await small.router.registerRoute({ connectorId: 'acme', triggerId: 'acme.order.created', topology: 'dynamic_per_install', installId: 'ins-1', tenantId: 'tenant-a', verification: { scheme: 'github', secret: WEBHOOK_SECRET } });
    const server = small.router.createNodeServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const send = async (req: Request) => {
        const res = await fetch(`http://127.0.0.1:${port}${new URL(req.url).pathname}`, { method: req.method, headers: req.headers, body: await req.text() });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await send(post('/webhooks/acme/ins-1', order(11), { delivery: 'n-1' }))).toMatchObject({ status: 202, body: { status: 'accepted' } });
      expect(await send(post('/webhooks/acme/ins-1', order(11), { delivery: 'n-1' }))).toMatchObject({ status: 200, body: { status: 'duplicate' } });
      expect((await send(post('/webhooks/acme/ins-1', order(11), { secret: 'nope-nope-nope' }))).status).toBe(401);
      expect((await send(post('/webhooks/acme/ins-x', order(11)))).status).toBe(404);
      expect((await send(post('/webhooks/acme/ins-1', order(11, { pad: 'x'.repeat(2_000) })))).status).toBe(413);
      // Chunked upload without content-length: answered 413 and the connection closed mid-stream.
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks/acme/ins-1', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        });
        req.on('error', () => {});
        let sent = 0;
        const pump = () => {
          while (sent < 200 && req.write('y'.repeat(1_024))) sent += 1;
          if (sent < 200) req.once('drain', pump);
          else req.end();
        };
        pump();
        setTimeout(() => reject(new Error('no answer')), 5_000).unref();
      });
      expect(status).toBe(413);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe.each(tiers)('webhook schemes through the router on $name', (tier) => {
  let handle: TierHandle;
  let s: ReturnType<typeof stack>;
  beforeEach(async () => {
    handle = await tier.create();
    s = stack(handle.stores);
  });
  afterEach(async () => handle.cleanup());

  const swSecret = `whsec_${Buffer.from('standard-webhooks-route-key-42').toString('base64')}`;
  const cases = [
    { scheme: 'standard_webhooks' as const, secret: swSecret, header: undefined },
    { scheme: 'stripe' as const, secret: 'whsec_stripe_like_secret_1', header: undefined },
    { scheme: 'notion' as const, secret: 'notion-verification-token-9', header: undefined },
    { scheme: 'hmac_sha256' as const, secret: 'generic-hmac-secret-77', header: 'X-Acme-Signature' },
  ];
  for (const c of cases) {
    it(`${c.scheme}: signed → 202, tampered → 401, stale timestamp → 401 where signed`, async () => {
      await s.router.registerRoute({
        connectorId: 'acme',
        triggerId: 'acme.order.created',
        topology: 'dynamic_per_install',
        installId: `ins-${c.scheme}`,
        tenantId: 'tenant-a',
        verification: { scheme: c.scheme, secret: c.secret, ...(c.header ? { header: c.header } : {}) },
      });
      const { signWebhook } = await import('@integration/ingress');
      const send = (body: string, headers: Record<string, string>) =>
        s.router.fetchHandler(new Request(`http://127.0.0.1/webhooks/acme/ins-${c.scheme}`, { method: 'POST', headers, body }));
      const body = JSON.stringify(order(40));
      const now = Math.floor(Date.now() / 1000);
      const headers = signWebhook(c.scheme, { secret: c.secret, rawBody: body, timestampSeconds: now, id: 'msg_1', ...(c.header ? { header: c.header } : {}) });
      expect((await send(body, headers)).status).toBe(202);
      expect((await send(body.replace('40', '41'), headers)).status).toBe(401);
      if (c.scheme === 'standard_webhooks' || c.scheme === 'stripe') {
        const stale = signWebhook(c.scheme, { secret: c.secret, rawBody: body, timestampSeconds: now - 3_600, id: 'msg_2' });
        const res = await send(body, stale);
        expect(res.status).toBe(401);
        expect(JSON.stringify(await res.json())).toContain('timestamp_outside_tolerance');
      }
      expect(await handle.stores.ledger.listRuns()).toHaveLength(1);
    });
  }
});
