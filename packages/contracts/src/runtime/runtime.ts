import type { ArtifactRef, ArtifactType } from '../records/artifact-ref';
import type { Clock } from '../clock';
import type { CredentialRef, Lease } from '../records/credential-ref';
import type { EventSpec } from '../records/event';
import type { ExecutionPolicy } from '../records/policy-decision';
import type { RuntimeClass } from '../records/common';
import type { TargetDescriptor } from '../records/target-descriptor';
import type { IntegrationError } from '../errors/integration-error';
import type { Capability } from '../authoring/capability';
import type { Logger } from './logger';
import { KnownSecrets, secretValuesOf } from '../secrets/known-secrets';

/**
 * The signal of a caller that cannot cancel (its controller is held by nobody). Hosts pass it when
 * no signal was given; runtimes may skip listening to it, which saves a listener per attempt.
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** Everything a runtime receives for one attempt. Only the lease (and declared input fields) carry secret material. */
export interface RuntimeContext {
  runId: string;
  attempt: number;
  attemptId: string;
  lease: Lease;
  credentialRef: CredentialRef;
  connectionId: string | null;
  tenantId: string | null;
  actorId: string | null;
  traceId: string | null;
  idempotencyKey: string | null;
  executionPolicy: ExecutionPolicy;
  target: TargetDescriptor | null;
  /** Aborted when the caller cancels; runtimes add the capability timeout on top. */
  signal: AbortSignal;
  timeoutMs: number;
  logger: Logger;
  clock: Clock;
  extensions: Record<string, unknown>;
  /**
   * Every secret value known for this attempt: the lease payload's and the input's declared-secret
   * fields'. The runtime redacts them from events, artifacts, logs and errors. Absent: the lease's.
   */
  secrets?: KnownSecrets;
}

/** The secrets a runtime redacts for one attempt. */
export function attemptSecrets(context: Pick<RuntimeContext, 'secrets' | 'lease'>): KnownSecrets {
  return context.secrets ?? KnownSecrets.of(secretValuesOf(context.lease.payload));
}

export interface RuntimeOutcomeBase {
  events: EventSpec[];
  artifacts: ArtifactRef[];
  /** Session or stream id shared by attempts that reused it. */
  runtimeRefId: string | null;
}

export type RuntimeResult =
  | (RuntimeOutcomeBase & { status: 'completed'; output: unknown })
  | (RuntimeOutcomeBase & { status: 'failed'; error: IntegrationError });

/** A runtime for one runtime class, injected into the control plane's router. */
export interface Runtime {
  readonly runtimeClass: RuntimeClass;
  execute(capability: Capability, input: unknown, context: RuntimeContext): Promise<RuntimeResult>;
  close?(): Promise<void>;
}

export interface ArtifactInput {
  type: ArtifactType;
  /** A short name used in the payload key, e.g. `issue_create`. */
  slug: string;
  content: string | Uint8Array | Record<string, unknown> | unknown[];
  metadata?: Record<string, unknown>;
}

/** Where artifact bytes go; the ledger only keeps the reference. */
export interface ArtifactPayloadStore {
  readonly name: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
}

/** The `ctx` a direct handler receives. */
export interface HandlerContext {
  lease: Lease;
  runId: string;
  attempt: number;
  attemptId: string;
  signal: AbortSignal;
  logger: Logger;
  idempotencyKey: string | null;
  tenantId: string | null;
  actorId: string | null;
  executionPolicy: ExecutionPolicy;
  target: TargetDescriptor | null;
  extensions: Record<string, unknown>;
  clock: Clock;
  /** Appends a connector event (type should start with `connector.<connectorId>.`). */
  emit(event: EventSpec): void;
  /** Records an artifact: hashes the content, stores the bytes, returns the reference. */
  artifact(input: ArtifactInput): Promise<ArtifactRef>;
}
