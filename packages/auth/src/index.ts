export { createAuthService, type AuthService } from './auth-service';
export { AuthServiceOptionsSchema, OAuthClientSchema, type AuthServiceOptions, type ConnectorLookup, type OAuthClient } from './options';
export {
  StartInstallInputSchema,
  CompleteInstallInputSchema,
  CancelInstallInputSchema,
  LeaseRequestSchema,
  RotateInputSchema,
  RevokeInputSchema,
  InstallFilterSchema,
  ConnectionFilterSchema,
  type StartInstallInput,
  type CompleteInstallInput,
  type CancelInstallInput,
  type LeaseRequest,
  type RotateInput,
  type RevokeInput,
} from './inputs';
export { PREVIOUS_STATE_KEY } from './install-lifecycle';
export type { StartInstallResult } from './start-install';
export type { CompleteInstallResult } from './complete-install';
export type { RotateResult } from './connections';
export type { RewrapReport } from './rewrap';
export { KeyRing, KeyRingConfigSchema, generateSealingKey, type KeyRingConfig, type AuthEnvironment } from './key-ring';
export { connectionTransitions, connectionStates, canTransition, assertTransition, assertLeasable, leasableStates } from './connection-states';
export { neverLeasedFields, leaseFieldsFor, leasePayload, SecretMapSchema, type SecretMap } from './secrets';
export { credentialRefOf } from './credential-ref';
export type { BoundConnection } from './binding';
