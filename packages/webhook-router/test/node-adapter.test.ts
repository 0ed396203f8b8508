import diagnostics from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { request as httpRequest, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableTiers, type TierHandle } from '../../dispatch/test/support/tiers';
import { WEBHOOK_SECRET } from '../../dispatch/test/support/fixtures';
import { post, stack } from './support';

// Taken before any router builds its node listener.
const { Request: globalRequest, Response: globalResponse } = globalThis;
const memory = (await availableTiers('node-adapter')).find((t) => t.name === 'memory')!;

/** One raw HTTP/1.x exchange: what the server wrote back before it closed the connection. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no close; got ${JSON.stringify(answer)}`)), 5_000).unref();
  });
}

describe('the node:http adapter (derived from the Fetch handler)', () => {
  let handle: TierHandle;
  let server: Server;
  let port: number;

  beforeEach(async () => {
    handle = await memory.create();
    const { router } = stack(handle.stores, { maxBodyBytes: 512 });
    await router.registerRoute({ connectorId: 'acme', triggerId: 'acme.order.created', topology: 'dynamic_per_install', installId: 'ins-1', tenantId: 'tenant-a', verification: { scheme: 'github', secret: WEBHOOK_SECRET } });
    server = router.createNodeServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await handle.cleanup();
  });

  it('answers with the Fetch handler’s statuses and headers: 405 with Allow, 404 off the base path', async () => {
    const get = await fetch(`http://127.0.0.1:${port}/webhooks/acme/ins-1`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(get.headers.get('cache-control')).toBe('no-store');
    expect(await get.json()).toMatchObject({ error: { code: 'invalid_request' } });
    const elsewhere = await fetch(`http://127.0.0.1:${port}/elsewhere`, { method: 'POST', body: '{}' });
    expect(elsewhere.status).toBe(404);
  });

  it('routes a request without a Host header (HTTP/1.0) by its path', async () => {
    const req = post('/webhooks/acme/ins-1', { orderId: 'o-1', amount: 1 });
    const body = await req.text();
    const headers = [...req.headers].map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const answer = await rawExchange(port, `POST /webhooks/acme/ins-1 HTTP/1.0\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    expect(answer).toMatch(/^HTTP\/1\.1 202 /);
    expect(answer).toContain('"status":"accepted"');
  });

  it('a declared oversized body → 413 with Connection: close, the body unread, and one failed event', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const listener = (m: unknown) => void seen.push(m as Record<string, unknown>);
    diagnostics.subscribe('integration:webhook:failed', listener);
    try {
      // Only the headers are sent: the answer must not wait for the body.
      const answer = await rawExchange(port, 'POST /webhooks/acme/ins-1 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(answer).toContain('payload_too_large');
    } finally {
      diagnostics.unsubscribe('integration:webhook:failed', listener);
    }
    expect(seen).toEqual([expect.objectContaining({ code: 'payload_too_large', status: 413, connectorId: 'acme' })]);
    expect(await handle.stores.ledger.listRuns()).toHaveLength(0);
  });

  it('a slow upload within the limit is read as it arrives and admitted', async () => {
    const req = post('/webhooks/acme/ins-1', { orderId: 'o-slow', amount: 2 });
    const body = await req.text();
    const headers = Object.fromEntries(req.headers);
    const status = await new Promise<number>((resolve, reject) => {
      const out = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks/acme/ins-1', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      out.on('error', reject);
      const pieces = [body.slice(0, 5), body.slice(5, 15), body.slice(15)];
      const next = () => {
        const piece = pieces.shift();
        if (piece === undefined) return void out.end();
        out.write(piece);
        setTimeout(next, 40);
      };
      next();
    });
    expect(status).toBe(202);
    expect(await handle.stores.ledger.listRuns()).toHaveLength(1);
  });

  it('leaves the process’s global Request and Response alone', () => {
    expect(globalThis.Request).toBe(globalRequest);
    expect(globalThis.Response).toBe(globalResponse);
  });
});
