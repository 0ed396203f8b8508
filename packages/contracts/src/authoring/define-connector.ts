import { z } from 'zod';
import type { RuntimeClass } from '../records/common';
import { AuthSpecSchema, CatalogSpecSchema, type AuthSpec, type AuthSpecInput, type CatalogSpec, type CatalogSpecInput } from './auth-spec';
import type { OperationDefinition } from './define-operation';
import type { TriggerDefinition } from './define-trigger';
import { capabilityFromOperation, capabilityFromTrigger, type Capability } from './capability';
import type { ConformanceSpec } from './conformance-spec';
import { definitionError } from './definition-error';

export interface ConnectorConfig {
  id: string;
  auth: AuthSpecInput;
  catalog: CatalogSpecInput;
  operations?: OperationDefinition[];
  triggers?: TriggerDefinition[];
  conformance?: ConformanceSpec;
  metadata?: Record<string, unknown>;
}

export interface ConnectorDefinition {
  id: string;
  auth: AuthSpec;
  catalog: CatalogSpec;
  /** Sorted by id. */
  operations: OperationDefinition[];
  triggers: TriggerDefinition[];
  /** Derived from operations and triggers, sorted by id. */
  capabilities: Capability[];
  runtimeFamilies: RuntimeClass[];
  conformance: ConformanceSpec | null;
  metadata: Record<string, unknown>;
}

const runtimeOrder: RuntimeClass[] = ['direct', 'session', 'stream'];
const connectorIdPattern = /^[a-z][a-z0-9_]*$/;
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const value of values) (seen.has(value) ? dupes : seen).add(value);
  return [...dupes];
}

/**
 * Validates a connector at definition time: scope and secret coverage, unique ids, unique consumer
 * names, and derives its capabilities. Throws `invalid_definition` listing every problem.
 */
export function defineConnector(config: ConnectorConfig): ConnectorDefinition {
  const subject = `connector ${config?.id ?? '<missing id>'}`;
  const problems: string[] = [];
  if (config && 'capabilities' in config) problems.push('capabilities are derived from operations and triggers; do not author them');
  if (typeof config?.id !== 'string' || !connectorIdPattern.test(config.id)) problems.push('id must match /^[a-z][a-z0-9_]*$/');
  const auth = AuthSpecSchema.safeParse(config?.auth);
  if (!auth.success) problems.push(`auth: ${z.prettifyError(auth.error)}`);
  const catalog = CatalogSpecSchema.safeParse(config?.catalog);
  if (!catalog.success) problems.push(`catalog: ${z.prettifyError(catalog.error)}`);
  const operations = [...(config?.operations ?? [])];
  const triggers = [...(config?.triggers ?? [])];
  if (operations.some((op) => op?.kind !== 'operation')) problems.push('operations must be built with defineOperation');
  if (triggers.some((t) => t?.kind !== 'trigger')) problems.push('triggers must be built with defineTrigger');
  if (operations.length + triggers.length === 0) problems.push('a connector needs at least one operation or trigger');
  if (problems.length > 0) throw definitionError(subject, problems);

  const authSpec = auth.data!;
  const ids = [...operations.map((o) => o.id), ...triggers.map((t) => t.id)];
  for (const id of duplicates(ids)) problems.push(`duplicate capability id "${id}"`);

  const requested = new Set(authSpec.requestedScopes);
  for (const item of [...operations, ...triggers]) {
    const missing = item.scopes.filter((s) => !requested.has(s));
    if (missing.length > 0) problems.push(`auth.requestedScopes does not cover ${item.id}'s scopes: ${missing.join(', ')}`);
  }
  const secrets = new Set(authSpec.secretNames);
  for (const trigger of triggers) {
    const needed = [...trigger.secretRequirements, ...(trigger.verification ? [trigger.verification.secretName] : [])];
    const missing = needed.filter((s) => !secrets.has(s));
    if (missing.length > 0) problems.push(`auth.secretNames does not cover ${trigger.id}'s secrets: ${missing.join(', ')}`);
  }

  const actionNames = operations.flatMap((o) => (o.consumerSurface.mode === 'common' ? [o.consumerSurface.actionName] : []));
  for (const name of duplicates(actionNames)) problems.push(`action name "${name}" is used by more than one operation`);
  const sensorNames = triggers.flatMap((t) => (t.consumerSurface.mode === 'common' ? [t.consumerSurface.sensorName] : []));
  for (const name of duplicates(sensorNames)) problems.push(`sensor name "${name}" is used by more than one trigger`);
  const normalizedIds = [...operations, ...triggers].flatMap((c) => (c.consumerSurface.mode === 'common' ? [c.consumerSurface.normalizedId] : []));
  for (const name of duplicates(normalizedIds)) problems.push(`normalizedId "${name}" is used more than once`);

  if (authSpec.type === 'none' && requested.size > 0) problems.push('auth type none cannot request scopes');
  if (problems.length > 0) throw definitionError(subject, problems);

  operations.sort(byId);
  triggers.sort(byId);
  const capabilities = [
    ...operations.map((op) => capabilityFromOperation(config.id, op)),
    ...triggers.map((t) => capabilityFromTrigger(config.id, t)),
  ].sort(byId);
  const families = new Set(capabilities.map((c) => c.runtimeClass));

  return {
    id: config.id,
    auth: authSpec,
    catalog: catalog.data!,
    operations,
    triggers,
    capabilities,
    runtimeFamilies: runtimeOrder.filter((r) => families.has(r)),
    conformance: config.conformance ?? null,
    metadata: config.metadata ?? {},
  };
}
