import {
  IntegrationError,
  parseAt,
  projectCatalogEntries,
  redactingLogger,
  silentLogger,
  systemClock,
  type ProjectedCatalogEntry,
  type ConnectorDefinition,
  type InvocationRequestInput,
  type InvokeOptions,
} from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
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
import { rememberInternals } from './internals';


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
  'runs',
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

/** What key rotation re-sealed: auth's credentials and pending installs, inline webhook route secrets and sealed run inputs. */
export interface PlatformRewrapReport extends RewrapReport {
  /** Webhook routes whose inline secret was re-sealed under the active key. */
  routes: number;
  /** Runs whose sealed exact input was re-sealed under the active key. */
  runInputs: number;
}

export interface Platform extends AuthMethods, ControlPlaneMethods {
  /**
   * Key rotation: re-seals every credential, pending install state, inline webhook route secret and
   * sealed run input not sealed under the active key. Afterwards the old keys can be removed from
   * the ring; `unsealable` lists the records whose key is already gone.
   */
  rewrapCredentials(): Promise<PlatformRewrapReport>;
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
  /**
   * One poll pass of a poll trigger, admitted like an invoke (policy, credential, lease, a ledger
   * run of `<trigger>#poll`), then each signal admitted and its run enqueued. `close()` aborts
   * passes in flight and waits for them.
   */
  pollTrigger(triggerId: string, options: PollTriggerOptions, call?: CallOptions): Promise<PollTriggerResult>;

  /** Stops poll passes in flight, then runtimes (sessions, child processes), then the stores. */
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
  const logger = options.logger ? redactingLogger(options.logger, { keyNames: options.redactLogKeyNames }) : silentLogger;
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
    sealer: auth.sealer,
  });
  for (const connector of options.connectors) controlPlane.registerConnector(connector);
  lookupConnector = (id) => controlPlane.connectors().find((c) => c.id === id);
  const { ingress, dispatch, webhooks } = createAsyncPath({ stores, controlPlane, auth, clock, logger, webhooks: options.webhooks });

  let closed = false;
  const closing = new AbortController();
  const polls = new Set<Promise<unknown>>();
  const platform: Platform = {
    ...delegate(controlPlane, controlPlaneMethodNames),
    ...delegate(auth, authMethodNames),
    async rewrapCredentials() {
      const credentials = await auth.rewrapCredentials();
      const routes = await webhooks.rewrapRouteSecrets();
      const runInputs = await controlPlane.rewrapRunInputs();
      return {
        ...credentials,
        routes: routes.routes,
        runInputs: runInputs.runInputs,
        unsealable: [...credentials.unsealable, ...routes.unsealable, ...runInputs.unsealable],
      };
    },
    projectedCatalogEntries: () => projectCatalogEntries(controlPlane.connectors()),
    invoke: ((first: unknown, second?: unknown, third?: unknown, fourth?: unknown) =>
      typeof first === 'string'
        ? controlPlane.invoke(invocationRequestOf(first, second, third), fourth as CallOptions | undefined)
        : controlPlane.invoke(invocationRequestOf(first), second as CallOptions | undefined)) as Platform['invoke'],
    ingress,
    dispatch,
    webhooks,
    pollTrigger(triggerId, opts, call) {
      if (closed) return Promise.reject(new IntegrationError('runtime_cancelled', 'the platform is closed', { retryable: false }));
      const signal = call?.signal ? AbortSignal.any([call.signal, closing.signal]) : closing.signal;
      const pass = pollTrigger({ stores, controlPlane, ingress, queue: dispatch, clock }, triggerId, opts, signal);
      polls.add(pass);
      void pass.then(
        () => polls.delete(pass),
        () => polls.delete(pass),
      );
      return pass;
    },
    async close() {
      if (closed) return;
      closed = true;
      closing.abort(new IntegrationError('runtime_cancelled', 'the platform is closing', { retryable: true }));
      await Promise.allSettled([...polls]);
      // Runtimes next: they stop sessions and child processes that may still write evidence.
      await Promise.all(Object.values(runtimes).map((runtime) => runtime.close?.()));
      await stores.close();
    },
  };
  rememberInternals(platform, { stores, auth });
  return platform;
}

/** `production` unless NODE_ENV says development or test: a missing key ring is then a startup error. */
function environmentFromNodeEnv(): 'development' | 'test' | 'production' {
  const env = process.env.NODE_ENV;
  return env === 'development' || env === 'test' ? env : 'production';
}
