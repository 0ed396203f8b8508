import type { Clock, Logger, Stores } from '@integration/contracts';
import type { AuthService } from '@integration/auth';
import type { ControlPlane } from '@integration/control-plane';
import { createIngress, type Ingress } from '@integration/ingress';
import { createDispatchQueue, createDispatchWorker, type DispatchQueue, type DispatchWorker, type DispatchWorkerOptions } from '@integration/dispatch';
import { createWebhookRouter, type WebhookRouter, type WebhookRouterOptions } from '@integration/webhook-router';

export type WorkerOptions = Omit<DispatchWorkerOptions, 'stores' | 'executor' | 'platform'>;

/** The dispatch queue of this platform, and workers that execute its jobs through the control plane. */
export interface PlatformDispatch extends DispatchQueue {
  createWorker(options?: WorkerOptions): DispatchWorker;
}

export interface AsyncPath {
  ingress: Ingress;
  dispatch: PlatformDispatch;
  webhooks: WebhookRouter;
}

export interface AsyncPathOptions {
  stores: Stores;
  controlPlane: ControlPlane;
  auth: AuthService;
  clock: Clock;
  logger: Logger;
  webhooks?: Pick<WebhookRouterOptions, 'basePath' | 'maxBodyBytes' | 'routeCacheMs' | 'enqueueOptions'>;
  maxAttempts?: number;
}

/** Ingress, the dispatch queue and the webhook router, sharing the platform's stores and control plane. */
export function createAsyncPath(options: AsyncPathOptions): AsyncPath {
  const { stores, controlPlane, auth, clock, logger } = options;
  const ingress = createIngress({ stores, capabilities: controlPlane, clock, logger, sealer: auth.sealer });
  const queue = createDispatchQueue({ stores, clock, ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) });
  const dispatch: PlatformDispatch = {
    ...queue,
    createWorker: (workerOptions = {}) => createDispatchWorker({ clock, logger, ...workerOptions, stores, executor: controlPlane }),
  };
  const webhooks = createWebhookRouter({
    ...options.webhooks,
    stores,
    capabilities: controlPlane,
    sealer: auth.sealer,
    secrets: auth,
    ingress,
    queue,
    clock,
    logger,
  });
  return { ingress, dispatch, webhooks };
}
