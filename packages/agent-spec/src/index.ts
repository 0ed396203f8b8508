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
export { agentSpecErrorCodes, type ImportReason } from './errors';
export { planAgent, DEFAULT_MAX_TURNS, DEFAULT_TIMEOUT_MS, type AgentPlan } from './plan';
export { inspectAgent, projectAgent, modelRef, type AgentInspection, type AgentProjection } from './inspect';
export { exportAgent, type ExportOptions } from './export-agent';
export { chat, runTurn } from './chat';
export { preflightAgent, type Preflight } from './preflight';
export {
  LlmDecisionSchema,
  type ApprovalRequest,
  type ChatOptions,
  type Journal,
  type JournalResult,
  type Llm,
  type LlmDecision,
  type LlmIntent,
  type Message,
  type OperationCall,
  type OperationCallContext,
  type OperationHandler,
  type OperationHandlers,
  type OperationIntent,
  type OperationResult,
  type PromptOperation,
  type Prompt,
  type TurnEvent,
  type TurnResult,
} from './turn-types';
export {
  capabilityActions,
  capabilityResources,
  capabilityActionName,
  type CapabilityActionsOptions,
  type CapabilityInvokeRequest,
  type CapabilityPlatform,
} from './platform-bridge';
