import {
  memoryStores,
  parseAt,
  projectCatalogEntries,
  redactingLogger,
  silentLogger,
  systemClock,
  type ArtifactRef,
  type Attempt,
  type Capability,
  type ProjectedCatalogEntry,
  type ConnectorDefinition,
  type Event,
  type InvocationRequestInput,
  type InvokeOptions,
  type Run,
  type Stores,
  type TargetDescriptor,
  type TargetRequirementsInput,
} from '@integration/contracts';
import {
  createControlPlane,
  type CallOptions,
  type CompatibleTarget,
  type ExecuteRunOptions,
  type InvokeResult,
  type ReviewPacket,
  type TargetFilter,
} from '@integration/control-plane';
import { createAuthService, type AuthService } from '@integration/auth';
import { createDirectRuntime } from '@integration/direct-runtime';
import { createSessionRuntime } from '@integration/session-runtime';
import { createStreamRuntime } from '@integration/stream-runtime';
import { createAsyncPath, type PlatformDispatch } from './async-path';
import { invocationRequestOf } from './invoke-arguments';
import { pollTrigger, type PollTriggerOptions, type PollTriggerResult } from './poll-trigger';
import type { Ingress } from '@integration/ingress';
import type { WebhookRouter } from '@integration/webhook-router';
import { PlatformOptionsSchema, type PlatformOptions } from './platform-options';

type AuthMethods = Pick<
  AuthService,
  | 'startInstall'
  | 'completeInstall'
  | 'cancelInstall'
  | 'fetchInstall'
  | 'installs'
  | 'expireInstalls'
  | 'connectionStatus'
  | 'connections'
  | 'requestLease'
  | 'fetchLease'
  | 'rotateConnection'
  | 'revokeConnection'
  | 'disableConnection'
  | 'rewrapCredentials'
>;

export interface Platform extends AuthMethods {
  readonly stores: Stores;
  /** The auth service (installs, connections, leases); its secrets never leave it except as leases. */
  readonly auth: AuthService;
  connectors(): ConnectorDefinition[];
  capabilities(): Capability[];
  fetchConnector(id: string): ConnectorDefinition;
  fetchCapability(id: string): Capability;
  projectedCatalogEntries(): ProjectedCatalogEntry[];

  invoke(request: InvocationRequestInput, call?: CallOptions): Promise<InvokeResult>;
  invoke(capabilityId: string, input: unknown, options?: InvokeOptions, call?: CallOptions): Promise<InvokeResult>;
  executeRun(runId: string, options?: ExecuteRunOptions, call?: CallOptions): Promise<InvokeResult>;

  fetchRun(runId: string): Promise<Run>;
  fetchAttempt(attemptId: string): Promise<Attempt>;
  attempts(runId: string): Promise<Attempt[]>;
  events(runId: string): Promise<Event[]>;
  runArtifacts(runId: string): Promise<ArtifactRef[]>;
  fetchArtifact(artifactId: string): Promise<ArtifactRef>;
  announceTarget(target: unknown): Promise<TargetDescriptor>;
  fetchTarget(targetId: string): Promise<TargetDescriptor>;
  targets(filter?: TargetFilter): Promise<TargetDescriptor[]>;
  compatibleTargets(requirements: TargetRequirementsInput): Promise<CompatibleTarget[]>;
  compatibleTargetsFor(capabilityId: string, extra?: Partial<Omit<TargetRequirementsInput, 'capabilityId' | 'runtimeClass'>>): Promise<CompatibleTarget[]>;
  reviewPacket(runId: string, options?: { attemptId?: string }): Promise<ReviewPacket>;

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
    stores,
    auth,
    startInstall: (connectorId, tenantId, opts) => auth.startInstall(connectorId, tenantId, opts),
    completeInstall: (installId, attrs) => auth.completeInstall(installId, attrs),
    cancelInstall: (installId, opts) => auth.cancelInstall(installId, opts),
    fetchInstall: (installId) => auth.fetchInstall(installId),
    installs: (filter) => auth.installs(filter),
    expireInstalls: () => auth.expireInstalls(),
    connectionStatus: (connectionId) => auth.connectionStatus(connectionId),
    connections: (filter) => auth.connections(filter),
    requestLease: (connectionId, request) => auth.requestLease(connectionId, request),
    fetchLease: (leaseId) => auth.fetchLease(leaseId),
    rotateConnection: (connectionId, attrs) => auth.rotateConnection(connectionId, attrs),
    revokeConnection: (connectionId, attrs) => auth.revokeConnection(connectionId, attrs),
    disableConnection: (connectionId, attrs) => auth.disableConnection(connectionId, attrs),
    rewrapCredentials: () => auth.rewrapCredentials(),
    connectors: () => controlPlane.connectors(),
    capabilities: () => controlPlane.capabilities(),
    fetchConnector: (id) => controlPlane.fetchConnector(id),
    fetchCapability: (id) => controlPlane.fetchCapability(id),
    projectedCatalogEntries: () => projectCatalogEntries(controlPlane.connectors()),
    invoke: ((first: unknown, second?: unknown, third?: unknown, fourth?: unknown) =>
      typeof first === 'string'
        ? controlPlane.invoke(invocationRequestOf(first, second, third), fourth as CallOptions | undefined)
        : controlPlane.invoke(invocationRequestOf(first), second as CallOptions | undefined)) as Platform['invoke'],
    executeRun: (runId, opts, call) => controlPlane.executeRun(runId, opts, call),
    fetchRun: (id) => controlPlane.fetchRun(id),
    fetchAttempt: (id) => controlPlane.fetchAttempt(id),
    attempts: (runId) => controlPlane.attempts(runId),
    events: (runId) => controlPlane.events(runId),
    runArtifacts: (runId) => controlPlane.runArtifacts(runId),
    fetchArtifact: (id) => controlPlane.fetchArtifact(id),
    announceTarget: (target) => controlPlane.announceTarget(target),
    fetchTarget: (id) => controlPlane.fetchTarget(id),
    targets: (filter) => controlPlane.targets(filter),
    compatibleTargets: (requirements) => controlPlane.compatibleTargets(requirements),
    compatibleTargetsFor: (capabilityId, extra) => controlPlane.compatibleTargetsFor(capabilityId, extra),
    reviewPacket: (runId, opts) => controlPlane.reviewPacket(runId, opts),
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
