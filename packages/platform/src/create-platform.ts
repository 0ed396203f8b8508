import {
  memoryStores,
  parseAt,
  projectCatalogEntries,
  redactingLogger,
  silentLogger,
  systemClock,
  type ProjectedCatalogEntry,
  type ConnectorDefinition,
  type InvocationRequestInput,
  type InvokeOptions,
  type Stores,
} from '@integration/contracts';
import {
  createControlPlane,
  type ControlPlane,
  type CallOptions,
  type InvokeResult,
} from '@integration/control-plane';
import { createAuthService, type AuthService, type RewrapReport } from '@integration/auth';
import { createDirectRuntime } from '@integration/direct-runtime';
import { createSessionRuntime } from '@integration/session-runtime';
import { createStreamRuntime } from '@integration/stream-runtime';
import { createAsyncPath, type PlatformDispatch } from './async-path';
import { invocationRequestOf } from './invoke-arguments';
import { pollTrigger, type PollTriggerOptions, type PollTriggerResult } from './poll-trigger';
import type { Ingress } from '@integration/ingress';
import type { WebhookRouter } from '@integration/webhook-router';
import { PlatformOptionsSchema, type PlatformOptions } from './platform-options';


const authMethodNames = [
  'startInstall',
  'completeInstall',
  'cancelInstall',
  'fetchInstall',
  'installs',
  'expireInstalls',
  'connectionStatus',
  'connections',
  'requestLease',
  'fetchLease',
  'rotateConnection',
  'revokeConnection',
  'disableConnection',
] as const satisfies ReadonlyArray<keyof AuthService>;
type AuthMethods = Pick<AuthService, (typeof authMethodNames)[number]>;

const controlPlaneMethodNames = [
  'connectors',
  'capabilities',
  'fetchConnector',
  'fetchCapability',
  'executeRun',
  'fetchRun',
  'fetchAttempt',
  'attempts',
  'events',
  'runArtifacts',
  'fetchArtifact',
  'announceTarget',
  'fetchTarget',
  'targets',
  'compatibleTargets',
  'compatibleTargetsFor',
  'reviewPacket',
] as const satisfies ReadonlyArray<keyof ControlPlane>;
type ControlPlaneMethods = Pick<ControlPlane, (typeof controlPlaneMethodNames)[number]>;

/** The named methods of `source`, bound to it. */
function delegate<T extends object, K extends keyof T>(source: T, names: readonly K[]): Pick<T, K> {
  return Object.fromEntries(names.map((name) => [name, (source[name] as (...args: unknown[]) => unknown).bind(source)])) as Pick<T, K>;
}

/** What key rotation re-sealed: auth's credentials and pending installs, and inline webhook route secrets. */
export interface PlatformRewrapReport extends RewrapReport {
  /** Webhook routes whose inline secret was re-sealed under the active key. */
  routes: number;
}

export interface Platform extends AuthMethods, ControlPlaneMethods {
  /**
   * Key rotation: re-seals every credential, pending install state and inline webhook route secret
   * not sealed under the active key. Afterwards the old keys can be removed from the ring;
   * `unsealable` lists the records whose key is already gone.
   */
  rewrapCredentials(): Promise<PlatformRewrapReport>;
  readonly stores: Stores;
  /** The auth service (installs, connections, leases); its secrets never leave it except as leases. */
  readonly auth: AuthService;
  /** Common consumer surfaces with JSON Schema for inputs/outputs (LLM tool definitions, MCP). */
  projectedCatalogEntries(): ProjectedCatalogEntry[];

  invoke(request: InvocationRequestInput, call?: CallOptions): Promise<InvokeResult>;
  invoke(capabilityId: string, input: unknown, options?: InvokeOptions, call?: CallOptions): Promise<InvokeResult>;

  /** Trigger admission: `admitWebhook`, `admitPoll`, `sweepExpired`, `fetchTrigger`, `triggers`. */
  readonly ingress: Ingress;
  /** The durable dispatch queue (enqueue, jobs, replay, replayMany) and `createWorker(options)`. */
  readonly dispatch: PlatformDispatch;
  /** Webhook routes and the Fetch / node:http handlers. */
  readonly webhooks: WebhookRouter;
  /** One poll pass of a poll trigger: poll under a lease, admit each signal, enqueue its run. */
  pollTrigger(triggerId: string, options: PollTriggerOptions): Promise<PollTriggerResult>;

  close(): Promise<void>;
}

/**
 * One object for a service: connectors, auth, invocation, review, targets and the async path,
 * on the store tier you pass (in-memory by default).
 */
export async function createPlatform(rawOptions: PlatformOptions = {}): Promise<Platform> {
  const options = parseAt(PlatformOptionsSchema, rawOptions, 'createPlatform: invalid options');
  const stores = options.stores ?? memoryStores();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ? redactingLogger(options.logger) : silentLogger;
  await stores.migrate();

  let lookupConnector: (id: string) => ConnectorDefinition | undefined = () => undefined;
  const auth = createAuthService({
    stores,
    connectors: (id) => lookupConnector(id),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    environment: options.environment ?? environmentFromNodeEnv(),
    clock,
    logger,
    oauthClients: options.oauthClients,
  });
  const payloads = options.artifactPayloads ? { artifactPayloads: options.artifactPayloads } : {};
  const runtimes = {
    direct: options.runtimes.direct ?? createDirectRuntime(payloads),
    session: options.runtimes.session ?? createSessionRuntime({ clock, ...payloads }),
    stream: options.runtimes.stream ?? createStreamRuntime({ clock, stores, ...payloads }),
  };
  const controlPlane = createControlPlane({
    stores,
    auth,
    runtimes,
    clock,
    logger,
    triggerHandlers: options.triggerHandlers,
  });
  for (const connector of options.connectors) controlPlane.registerConnector(connector);
  lookupConnector = (id) => controlPlane.connectors().find((c) => c.id === id);
  const { ingress, dispatch, webhooks } = createAsyncPath({ stores, controlPlane, auth, clock, logger, webhooks: options.webhooks });

  let closed = false;
  const platform: Platform = {
    ...delegate(controlPlane, controlPlaneMethodNames),
    ...delegate(auth, authMethodNames),
    stores,
    auth,
    async rewrapCredentials() {
      const credentials = await auth.rewrapCredentials();
      const routes = await webhooks.rewrapRouteSecrets();
      return { ...credentials, routes: routes.routes, unsealable: [...credentials.unsealable, ...routes.unsealable] };
    },
    projectedCatalogEntries: () => projectCatalogEntries(controlPlane.connectors()),
    invoke: ((first: unknown, second?: unknown, third?: unknown, fourth?: unknown) =>
      typeof first === 'string'
        ? controlPlane.invoke(invocationRequestOf(first, second, third), fourth as CallOptions | undefined)
        : controlPlane.invoke(invocationRequestOf(first), second as CallOptions | undefined)) as Platform['invoke'],
    ingress,
    dispatch,
    webhooks,
    pollTrigger: (triggerId, opts) =>
      pollTrigger({ stores, controlPlane, auth, direct: runtimes.direct, ingress, queue: dispatch, clock, logger }, triggerId, opts),
    async close() {
      if (closed) return;
      closed = true;
      // Runtimes first: they stop sessions and child processes that may still write evidence.
      await Promise.all(Object.values(runtimes).map((runtime) => runtime.close?.()));
      await stores.close();
    },
  };
  return platform;
}

/** `production` unless NODE_ENV says development or test: a missing key ring is then a startup error. */
function environmentFromNodeEnv(): 'development' | 'test' | 'production' {
  const env = process.env.NODE_ENV;
  return env === 'development' || env === 'test' ? env : 'production';
}
