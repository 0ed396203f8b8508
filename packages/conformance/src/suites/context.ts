import type { Capability, ConnectorDefinition, OperationDefinition, TriggerDefinition } from '@integration/contracts';
import type { RunConformanceOptions } from '../options';
import { isRecord } from './support';

/** What every suite reads: the definition (possibly hand-built, so read defensively) and shared state. */
export interface SuiteContext {
  connector: ConnectorDefinition;
  /** The connector id as text for messages and run ids (a hand-built id may not be a string). */
  connectorLabel: string;
  /** Entries of operations/triggers/capabilities that are not objects with a string id (left out of every suite). */
  malformed: string[];
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

function listOf<T>(value: unknown, name: string, malformed: string[]): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    malformed.push(`${name} is not an array`);
    return [];
  }
  return value.filter((v, i) => {
    const ok = isRecord(v) && typeof v.id === 'string';
    if (!ok) malformed.push(`${name}[${i}] is not an object with a string id`);
    return ok;
  }) as T[];
}

export function labelOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '<unprintable>';
  }
}

export function suiteContext(connector: ConnectorDefinition, options: RunConformanceOptions, knownDrivers: SuiteContext['knownDrivers']): SuiteContext {
  const malformed: string[] = [];
  return {
    connector,
    connectorLabel: labelOf(connector.id),
    operations: listOf<OperationDefinition>(connector.operations, 'operations', malformed),
    triggers: listOf<TriggerDefinition>(connector.triggers, 'triggers', malformed),
    capabilities: listOf<Capability>(connector.capabilities, 'capabilities', malformed),
    malformed,
    options,
    unrunnable: new Map(),
    knownDrivers,
  };
}

/** The authored operation or trigger a capability was derived from. */
export function sourceOf(ctx: SuiteContext, capability: Capability): OperationDefinition | TriggerDefinition | undefined {
  return capability.kind === 'trigger' ? ctx.triggers.find((t) => t.id === capability.id) : ctx.operations.find((o) => o.id === capability.id);
}
