import { z } from 'zod';
import {
  NotFoundError,
  parseAt,
  RunStatusSchema,
  silentLogger,
  systemClock,
  type ArtifactRef,
  type Attempt,
  type Capability,
  type Clock,
  type ConnectorDefinition,
  type DirectHandler,
  type Event,
  type InvocationRequestInput,
  type Logger,
  type Run,
  type Runtime,
  type RuntimeClass,
  type RunFilter,
  type SecretSealer,
  type Stores,
  type TargetDescriptor,
  type TargetRequirementsInput,
} from '@integration/contracts';
import type { AuthBinding } from './auth-binding';
import type { ControlPlaneContext } from './context';
import { executeRun, type ExecuteRunOptions } from './execute-run';
import { LedgerWriter } from './ledger-writer';
import { invokePipeline, type InvokeResult } from './invoke/pipeline';
import { ConnectorRegistry } from './registry';
import { reviewPacket, type ReviewPacket } from './review-packet';
import { rewrapRunInputs, type RunInputRewrapReport } from './rewrap-run-inputs';
import {
  announceTarget,
  compatibleTargets,
  compatibleTargetsFor,
  fetchTarget,
  listTargets,
  type CompatibleTarget,
  type TargetFilter,
} from './targets';

export interface ControlPlaneOptions {
  stores: Stores;
  auth?: AuthBinding | null;
  runtimes: Partial<Record<RuntimeClass, Runtime>>;
  clock?: Clock;
  logger?: Logger;
  triggerHandlers?: Record<string, DirectHandler<unknown, unknown>>;
  /**
   * Seals the exact input of runs whose input holds secrets, so re-execution runs on the real
   * values (the platform passes its credential key ring). Without one, such an invoke is refused
   * with `key_configuration_missing` before any run exists.
   */
  sealer?: SecretSealer | null;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ControlPlane {
  registerConnector(connector: ConnectorDefinition): void;
  connectors(): ConnectorDefinition[];
  capabilities(): Capability[];
  fetchConnector(id: string): ConnectorDefinition;
  fetchCapability(id: string): Capability;
  invoke(request: InvocationRequestInput, options?: CallOptions): Promise<InvokeResult>;
  executeRun(runId: string, options?: ExecuteRunOptions, call?: CallOptions): Promise<InvokeResult>;
  fetchRun(runId: string): Promise<Run>;
  /** Runs as recorded (redacted views), ordered by creation. */
  runs(filter?: RunFilter): Promise<Run[]>;
  /** Key rotation: re-seals every sealed run input not under the active key; returns how many. */
  rewrapRunInputs(): Promise<RunInputRewrapReport>;
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
}

const IdSchema = z.string().min(1);
const RunFilterSchema = z.strictObject({
  capabilityId: z.string().min(1).optional(),
  connectorId: z.string().min(1).optional(),
  status: RunStatusSchema.optional(),
  tenantId: z.string().min(1).optional(),
  limit: z.number().int().positive().optional(),
});

async function required<T>(value: Promise<T | null>, code: 'unknown_run' | 'unknown_attempt' | 'unknown_artifact', id: string): Promise<T> {
  const found = await value;
  if (!found) throw new NotFoundError(code, `${code.replace('unknown_', 'no ')} ${id}`, { details: { id } });
  return found;
}

/** Registry, invoke pipeline, runtime router, ledger reads and review packets. */
export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const clock = options.clock ?? systemClock;
  const ctx: ControlPlaneContext = {
    stores: options.stores,
    registry: new ConnectorRegistry(),
    auth: options.auth ?? null,
    runtimes: { ...options.runtimes },
    clock,
    logger: options.logger ?? silentLogger,
    writer: new LedgerWriter(clock),
    sealer: options.sealer ?? null,
    triggerHandlers: { ...options.triggerHandlers },
  };
  const ledger = ctx.stores.ledger;
  const id = (value: unknown, label: string) => parseAt(IdSchema, value, label);

  return {
    registerConnector: (connector) => ctx.registry.register(connector),
    connectors: () => ctx.registry.connectors(),
    capabilities: () => ctx.registry.capabilities(),
    fetchConnector: (connectorId) => ctx.registry.fetchConnector(connectorId),
    fetchCapability: (capabilityId) => ctx.registry.fetchCapability(capabilityId),
    invoke: (request, call) => invokePipeline(ctx, request, call?.signal),
    executeRun: (runId, opts, call) => executeRun(ctx, runId, opts, call?.signal),
    fetchRun: async (runId) => required(ledger.fetchRun(id(runId, 'runId')), 'unknown_run', runId),
    runs: async (filter) => ledger.listRuns(parseAt(RunFilterSchema, filter ?? {}, 'runs: invalid filter')),
    rewrapRunInputs: () => rewrapRunInputs(ctx),
    fetchAttempt: async (attemptId) => required(ledger.fetchAttempt(id(attemptId, 'attemptId')), 'unknown_attempt', attemptId),
    attempts: async (runId) => ledger.listAttempts(id(runId, 'runId')),
    events: async (runId) => ledger.listEvents(id(runId, 'runId')),
    runArtifacts: async (runId) => ledger.listArtifacts(id(runId, 'runId')),
    fetchArtifact: async (artifactId) => required(ledger.fetchArtifact(id(artifactId, 'artifactId')), 'unknown_artifact', artifactId),
    announceTarget: (target) => announceTarget(ctx, target),
    fetchTarget: (targetId) => fetchTarget(ctx, targetId),
    targets: (filter) => listTargets(ctx, filter),
    compatibleTargets: (requirements) => compatibleTargets(ctx, requirements),
    compatibleTargetsFor: (capabilityId, extra) => compatibleTargetsFor(ctx, capabilityId, extra),
    reviewPacket: (runId, opts) => reviewPacket(ctx, runId, opts),
  };
}
