export { createSessionRuntime, defaultSessionDrivers, type SessionRuntime, type SessionRuntimeOptions } from './session-runtime';
export { createHarness, promptOf, type AttemptHooks, type AttemptPlan, type BoundaryOptions, type Harness, type HarnessOptions, type OpenSession, type SessionInfo } from './harness';
export * from './driver';
export { EventChannel } from './event-channel';
export { SessionCache, type EvictionReason, type SessionCacheOptions } from './session-cache';
export { recordArtifact } from './artifacts';
export { memoryArtifactPayloads } from '@integration/store-memory';
export { authBindingOf } from './redaction';
export { runtimeError, asIntegrationError } from './errors';

export { subprocessDriver, builtInProfiles, type SubprocessDriverOptions } from './subprocess/subprocess-driver';
export { codexProfile, CODEX_LEASE_ENV } from './subprocess/codex-profile';
export { jsonlProfile } from './subprocess/jsonl-profile';
export { shellProfile } from './subprocess/shell-profile';
export { parseJsonLine } from './subprocess/jsonl';
export { runProcess, killGroup, type ProcessSpec, type ProcessOutcome, type ProcessRunOptions } from './subprocess/process-runner';
export type { SubprocessProfile, ProfileTurn, Invocation, TurnParser, TurnOutcome, ProfileSessionState } from './subprocess/profile';

export { inProcessDriver, type InProcessDriverOptions } from './in-process/in-process-driver';
export { localEchoSessionType, isSessionType, type SessionType, type SessionTypeInit, type TurnContext, type TurnResult } from './in-process/session-type';

export * from './boundary/descriptor';
export { createBoundaryBridge, parseDescriptor, type BoundaryBridge, type BoundaryBridgeOptions, type ReadinessOptions } from './boundary/bridge';
export { boundaryError, boundaryErrorClasses, classForCategory, normalizeBoundaryError, type BoundaryErrorClass } from './boundary/boundary-error';
export type { BoundaryAdapter, ClaimRequest } from './boundary/adapter';
export { localBoundaryAdapter, scrubbedEnv, DEFAULT_ENV_ALLOWLIST, type LocalBoundaryAdapterOptions } from './boundary/local-adapter';
