export * from './stores';

export { runConformance, knownDriverIds } from './engine';
export type { RunConformanceOptions, RuntimeDeps, RuntimeFactory, ConformanceProgress } from './options';
export {
  SUITE_IDS,
  CONFORMANCE_PROFILE,
  RUNNER_VERSION,
  CheckStatusSchema,
  SuiteIdSchema,
  CheckResultSchema,
  SuiteResultSchema,
  ConformanceReportSchema,
  ConformanceRunSchema,
  failedChecks,
  type CheckStatus,
  type SuiteId,
  type CheckResult,
  type SuiteResult,
  type ConformanceReport,
  type ConformanceRun,
} from './report';
export { renderHuman, renderHumanRun, renderJson } from './render';
export { runConformanceCli, CLI_USAGE, type CliIo } from './cli';
export { discoverConnectorPackages, loadConnectorPackage, connectorsOfModule, factoryNameOf, isConnectorDefinition, type ConnectorPackage } from './discovery';
export { capturingLogger, type CapturingLogger, type LogEntry } from './fixtures/capturing-logger';
export { canaryPayload, canaryForms, findCanaries, shortCanaries, SHORT_CANARY_LENGTHS } from './fixtures/canary';
export { VOLATILE_KEYS } from './fixtures/normalize';
export { eventTypesMatch } from './suites/deterministic-fixtures';
