import { randomBytes } from 'node:crypto';
import { KeyRing, createAuthService } from '@integration/auth';
import type { Stores } from '@integration/contracts';
import { createDispatchQueue, createDispatchWorker } from '@integration/dispatch';
import { signWebhook } from '@integration/ingress';
import { createWebhookRouter, type WebhookRouterOptions } from '../src/index';
import { acme, WEBHOOK_SECRET } from '../../dispatch/test/support/fixtures';
import { controlPlaneFor } from '../../dispatch/test/support/harness';
export const SEALING = { keys: { k1: randomBytes(32).toString('base64') }, activeKeyId: 'k1' };

/** The async path as the platform wires it: auth (sealer + secret refs), router, queue, worker. */
export function stack(stores: Stores, overrides: Partial<WebhookRouterOptions> = {}) {
  const auth = createAuthService({ stores, connectors: [acme], secrets: SEALING, environment: 'test' });
  const controlPlane = controlPlaneFor(stores);
  const capabilities = controlPlane;
  const queue = createDispatchQueue({ stores, maxAttempts: 3 });
  const router = createWebhookRouter({ stores, capabilities, sealer: KeyRing.fromConfig(SEALING), secrets: auth, queue, ...overrides });
  const executor = controlPlane;
  const worker = () => createDispatchWorker({ stores, executor, concurrency: 2, pollIntervalMs: 50, leaseMs: 2_000, backoff: { baseMs: 5, capMs: 20 } });
  return { auth, queue, router, executor, worker };
}

export function post(path: string, body: unknown, opts: { secret?: string; delivery?: string; headers?: Record<string, string>; raw?: string } = {}): Request {
  const rawBody = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...signWebhook('github', { secret: opts.secret ?? WEBHOOK_SECRET, rawBody }),
    ...(opts.delivery ? { 'x-acme-delivery': opts.delivery } : {}),
    ...opts.headers,
  };
  return new Request(`http://127.0.0.1${path}`, { method: 'POST', headers, body: rawBody });
}

export async function installWithSecret(auth: ReturnType<typeof createAuthService>, tenantId: string, webhookSecret: string) {
  const started = await auth.startInstall('acme', tenantId, { subject: `acct-${tenantId}`, actorId: 'ops', method: 'secret' });
  const completed = await auth.completeInstall(started.install.installId, {
    callbackToken: started.callbackToken,
    subject: `acct-${tenantId}`,
    actorId: 'ops',
    secret: { api_token: 'tok-canary-api-token-77', webhook_secret: webhookSecret },
  });
  return completed;
}
