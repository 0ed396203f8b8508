import type { Capability, ConnectorDefinition, OperationDefinition, TriggerDefinition } from '@integration/contracts';
import type { RunConformanceOptions } from '../options';
import { isRecord } from './support';

/** What every suite reads: the definition (possibly hand-built, so read defensively) and shared state. */
export interface SuiteContext {
  connector: ConnectorDefinition;
  operations: OperationDefinition[];
  triggers: TriggerDefinition[];
  capabilities: Capability[];
  options: RunConformanceOptions;
  /**
   * Capabilities the runtime-class fit suite found unrunnable: the reason, and whether that suite
   * failed them (their fixtures are then skipped) or only skipped them (their fixtures fail).
   */
  unrunnable: Map<string, { reason: string; failed: boolean }>;
  /** Driver ids each harness class knows (built-ins plus `options.drivers`). */
  knownDrivers: { session: string[]; stream: string[] };
}

const listOf = <T>(value: unknown): T[] => (Array.isArray(value) ? (value.filter((v) => isRecord(v)) as T[]) : []);

export function suiteContext(connector: ConnectorDefinition, options: RunConformanceOptions, knownDrivers: SuiteContext['knownDrivers']): SuiteContext {
  return {
    connector,
    operations: listOf<OperationDefinition>(connector.operations),
    triggers: listOf<TriggerDefinition>(connector.triggers),
    capabilities: listOf<Capability>(connector.capabilities),
    options,
    unrunnable: new Map(),
    knownDrivers,
  };
}

/** The authored operation or trigger a capability was derived from. */
export function sourceOf(ctx: SuiteContext, capability: Capability): OperationDefinition | TriggerDefinition | undefined {
  return capability.kind === 'trigger' ? ctx.triggers.find((t) => t.id === capability.id) : ctx.operations.find((o) => o.id === capability.id);
}
