export * from './spec';
export * from './definitions';
export * from './control-types';
export { defineAgent, DefineAgentInputSchema, type DefineAgentInput } from './define-agent';
export { importAgent, safeImportAgent, loadAgent, type ImportOptions, type SafeImportResult } from './import-agent';
export { detectFormat, type ImportFormat } from './decode';
export { ImportLimitsSchema, defaultImportLimits, type ImportLimits, type ImportLimitsInput } from './limits';
export {
  AgentDocumentSchema,
  DOCUMENT_VERSION,
  IdempotencySchema,
  MatchSchema,
  idempotencies,
  operationKinds,
  type AgentDocument,
  type AgentDocumentInput,
  type Idempotency,
  type OperationKind,
} from './document-schema';
export { isReservedRef, registryNames, type Registries, type Registry, type RegistryName } from './registry';
export { matchesOperation, operationKind, operationSource } from './operation-match';
export type { ImportReason } from './errors';
