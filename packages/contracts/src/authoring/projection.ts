import type { RuntimeClass } from '../records/common';
import type { ConnectorDefinition } from './define-connector';
import type { OperationDefinition } from './define-operation';
import type { TriggerDefinition } from './define-trigger';
import { definitionError } from './definition-error';
import { jsonSchemaOf } from './schema-checks';

type JsonSchema = Record<string, unknown>;

/** One common operation as a consumer (LLM tool list, MCP server, action registry) sees it. */
export interface ProjectedOperation {
  operationId: string;
  normalizedId: string;
  actionName: string;
  displayName: string;
  description: string;
  runtimeClass: RuntimeClass;
  requiredScopes: string[];
  inputJsonSchema: JsonSchema;
  outputJsonSchema: JsonSchema;
}

/** One common trigger as a consumer sees it. */
export interface ProjectedTrigger {
  triggerId: string;
  normalizedId: string;
  sensorName: string;
  deliveryMode: 'webhook' | 'poll';
  signalType: string;
  signalSource: string;
  configJsonSchema: JsonSchema;
  signalJsonSchema: JsonSchema;
  checkpoint: { strategy: string; field?: string; partitionKey?: string } | null;
  dedupe: { strategy: string; description?: string } | null;
}

/** A connector's catalog entry with its common consumer surfaces only. Plain JSON throughout. */
export interface ProjectedCatalogEntry {
  connectorId: string;
  displayName: string;
  description: string;
  category: string;
  tags: string[];
  docsRefs: string[];
  maturity: 'experimental' | 'alpha' | 'beta' | 'ga';
  publication: 'internal' | 'public' | 'private';
  operations: ProjectedOperation[];
  triggers: ProjectedTrigger[];
}

function schemaOf(subject: string, label: string, schema: Parameters<typeof jsonSchemaOf>[0], io: 'input' | 'output'): JsonSchema {
  try {
    // A JSON round trip drops anything JSON cannot carry, so the entry is safe to serialize.
    return JSON.parse(JSON.stringify(jsonSchemaOf(schema, io))) as JsonSchema;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw definitionError(subject, [`${label} schema has no JSON Schema projection: ${reason}`]);
  }
}

function projectOperation(connectorId: string, op: OperationDefinition): ProjectedOperation | null {
  if (op.consumerSurface.mode !== 'common') return null;
  const subject = `connector ${connectorId} operation ${op.id}`;
  return {
    operationId: op.id,
    normalizedId: op.consumerSurface.normalizedId,
    actionName: op.consumerSurface.actionName,
    displayName: op.displayName,
    description: op.description,
    runtimeClass: op.runtimeClass,
    requiredScopes: [...op.scopes],
    inputJsonSchema: schemaOf(subject, 'input', op.input, 'input'),
    outputJsonSchema: schemaOf(subject, 'output', op.output, 'output'),
  };
}

function projectTrigger(connectorId: string, trigger: TriggerDefinition): ProjectedTrigger | null {
  if (trigger.consumerSurface.mode !== 'common') return null;
  const subject = `connector ${connectorId} trigger ${trigger.id}`;
  return {
    triggerId: trigger.id,
    normalizedId: trigger.consumerSurface.normalizedId,
    sensorName: trigger.consumerSurface.sensorName,
    deliveryMode: trigger.deliveryMode,
    signalType: trigger.signalType,
    signalSource: trigger.signalSource,
    configJsonSchema: schemaOf(subject, 'config', trigger.config, 'input'),
    signalJsonSchema: schemaOf(subject, 'signal', trigger.signal, 'output'),
    checkpoint: trigger.checkpoint ? { ...trigger.checkpoint } : null,
    dedupe: trigger.dedupe ? { ...trigger.dedupe } : null,
  };
}

/**
 * Projects connectors onto their common consumer surfaces: one entry per connector (in the given
 * order) listing only operations and triggers whose consumer surface mode is `common`, with JSON
 * Schema (draft 2020-12) for inputs, outputs, trigger configs and signals. `connector_local`
 * capabilities are left out. The result is plain JSON (`JSON.stringify` round-trips it).
 */
export function projectCatalogEntries(connectors: ConnectorDefinition[]): ProjectedCatalogEntry[] {
  return connectors.map((connector) => ({
    connectorId: connector.id,
    displayName: connector.catalog.displayName,
    description: connector.catalog.description,
    category: connector.catalog.category,
    tags: [...connector.catalog.tags],
    docsRefs: [...connector.catalog.docsRefs],
    maturity: connector.catalog.maturity,
    publication: connector.catalog.publication,
    operations: connector.operations.flatMap((op) => projectOperation(connector.id, op) ?? []),
    triggers: connector.triggers.flatMap((trigger) => projectTrigger(connector.id, trigger) ?? []),
  }));
}
