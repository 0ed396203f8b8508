import { ValidationError, type ConnectorDefinition } from '@integration/contracts';
import { defaultSessionDrivers } from '@integration/session-runtime';
import { defaultStreamDrivers } from '@integration/stream-runtime';
import { planFixtures } from './fixtures/plan';
import type { RunConformanceOptions } from './options';
import { CONFORMANCE_PROFILE, RUNNER_VERSION, SUITE_IDS, type ConformanceReport, type SuiteId, type SuiteResult } from './report';
import { capabilityContracts } from './suites/capability-contracts';
import { consumerSurfaceProjection } from './suites/consumer-surface';
import { suiteContext, type SuiteContext } from './suites/context';
import { deterministicFixtures } from './suites/deterministic-fixtures';
import { ingressDefinitionDiscipline } from './suites/ingress-discipline';
import { manifestContract } from './suites/manifest-contract';
import { policyContract } from './suites/policy-contract';
import { runtimeClassFit } from './suites/runtime-class-fit';
import { secretRedaction } from './suites/secret-redaction';
import { describeError, fail, isRecord, suiteOf } from './suites/support';

/** Driver ids each harness knows: the built-ins plus the ones passed in options. */
export function knownDriverIds(options: RunConformanceOptions): SuiteContext['knownDrivers'] {
  const ids = (builtIn: Record<string, unknown>, extra: Record<string, unknown> | undefined) => [...new Set([...Object.keys(builtIn), ...Object.keys(extra ?? {})])].sort();
  return { session: ids(defaultSessionDrivers(), options.drivers?.session), stream: ids(defaultStreamDrivers(), options.drivers?.stream) };
}

/**
 * Runs the `connector_foundation` profile on a finished connector definition — one from
 * `defineConnector`, built by hand, or produced by another tool — and returns the report. The
 * suites run in a fixed order; a suite that throws is reported failed with a `<suite>.exception`
 * check; a skipped suite never fails the report. Rejects only when `connector` is not an object.
 */
export async function runConformance(connector: ConnectorDefinition, options: RunConformanceOptions = {}): Promise<ConformanceReport> {
  if (!isRecord(connector)) {
    throw new ValidationError('invalid_argument', 'runConformance needs a connector definition object (from defineConnector)', { details: { received: typeof connector } });
  }
  const connectorId = typeof connector.id === 'string' ? connector.id : null;
  const target = options.target ?? 'inline';
  options.onProgress?.({ type: 'connector.started', target, connectorId });
  const ctx = suiteContext(connector, options, knownDriverIds(options));
  const only = options.suites ? new Set<SuiteId>(options.suites) : null;
  let fixtures: ReturnType<typeof planFixtures> | null = null;
  const plan = () => (fixtures ??= planFixtures(ctx));

  const runners: Record<SuiteId, () => SuiteResult | Promise<SuiteResult>> = {
    manifest_contract: () => manifestContract(ctx),
    consumer_surface_projection: () => consumerSurfaceProjection(ctx),
    capability_contracts: () => capabilityContracts(ctx),
    runtime_class_fit: () => runtimeClassFit(ctx),
    policy_contract: () => policyContract(ctx),
    deterministic_fixtures: () => deterministicFixtures(ctx, plan().plans, plan().checks),
    ingress_definition_discipline: () => ingressDefinitionDiscipline(ctx),
    secret_redaction: () => secretRedaction(ctx, plan().plans),
  };

  const suites: SuiteResult[] = [];
  for (const id of SUITE_IDS) {
    // Runtime-class fit always runs: the fixture suites must know which capabilities can run.
    if (only && !only.has(id)) {
      if (id === 'runtime_class_fit') runtimeClassFit(ctx);
      suites.push(suiteOf(id, [], 'not selected'));
      continue;
    }
    options.onProgress?.({ type: 'suite.started', connectorId, suite: id });
    let result: SuiteResult;
    try {
      result = await runners[id]();
    } catch (error) {
      result = suiteOf(id, [fail(`${id}.exception`, `the suite threw: ${describeError(error)}`)]);
    }
    suites.push(result);
    options.onProgress?.({ type: 'suite.finished', connectorId, suite: id, status: result.status, summary: result.summary });
  }
  const status = suites.some((s) => s.status === 'failed') ? 'failed' : 'passed';
  options.onProgress?.({ type: 'connector.finished', target, connectorId, status });
  return {
    target,
    connectorId,
    profile: CONFORMANCE_PROFILE,
    runnerVersion: RUNNER_VERSION,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    status,
    suites,
  };
}
