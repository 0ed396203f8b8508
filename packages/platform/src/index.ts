export { createPlatform, type Platform, type PlatformRewrapReport } from './create-platform';
export type { PlatformOptions } from './platform-options';
export type { PlatformDispatch, WorkerOptions } from './async-path';
export type { PollTriggerOptions, PollTriggerResult } from './poll-trigger';

// The public surface of the packages the platform wires, so a service needs one import.
export * from '@integration/contracts';
export type {
  AuthBinding,
  CallOptions,
  CompatibleTarget,
  ExecuteRunOptions,
  InvokeResult,
  ReviewPacket,
  CapabilitySummary,
  ConnectorSummary,
  InstallSummary,
  TargetFilter,
} from '@integration/control-plane';
export { evaluatePolicy } from '@integration/policy';
export {
  createAuthService,
  generateSealingKey,
  type AuthService,
  type StartInstallInput,
  type CompleteInstallInput,
  type LeaseRequest,
  type RotateInput,
  type RevokeInput,
  type StartInstallResult,
  type CompleteInstallResult,
  type RotateResult,
  type RewrapReport,
} from '@integration/auth';
export { createDirectRuntime } from '@integration/direct-runtime';
export {
  createSessionRuntime,
  createBoundaryBridge,
  localBoundaryAdapter,
  subprocessDriver,
  inProcessDriver,
  codexProfile,
  jsonlProfile,
  shellProfile,
  type SessionRuntime,
  type SessionRuntimeOptions,
  type Driver,
  type BoundaryAdapter,
  type SessionType,
} from '@integration/session-runtime';
export { createStreamRuntime, type StreamRuntime, type StreamRuntimeOptions, type StreamSource } from '@integration/stream-runtime';
export { memoryStores, memoryArtifactPayloads } from '@integration/store-memory';
export { sqliteStores, type SqliteStoresOptions } from '@integration/store-local';
export { postgresStores, type PostgresStoresOptions } from '@integration/store-postgres';
export {
  createIngress,
  definitionFromTrigger,
  defineIngress,
  dedupeKeyFor,
  signWebhook,
  verifySignature,
  AdmissionRejectedError,
  type Admission,
  type Ingress,
  type IngressDefinition,
  type PollRequest,
  type WebhookRequest,
} from '@integration/ingress';
export {
  createDispatchQueue,
  createDispatchWorker,
  backoffDelay,
  dispatchChannels,
  type DispatchQueue,
  type DispatchWorker,
  type DispatchWorkerOptions,
  type ReplayFilter,
} from '@integration/dispatch';
export { createWebhookRouter, webhookChannels, type WebhookRouter, type RouteInput } from '@integration/webhook-router';
