import type { z } from 'zod';
import type { RuntimeClass } from '../records/common';
import { PolicyContractSchema, type PolicyContract } from './policy-contract';
import type { DirectHandler, OperationDefinition, OperationSurface, RuntimeFamily, RuntimeRouting, SchemaMode } from './define-operation';
import type { TriggerDefinition, TriggerSurface } from './define-trigger';

/** The executable projection of an operation or trigger. Derived by defineConnector, never authored. */
export interface Capability {
  id: string;
  connectorId: string;
  kind: 'operation' | 'trigger';
  runtimeClass: RuntimeClass;
  name: string;
  displayName: string;
  description: string;
  /** Operations: the input schema. Triggers: the signal schema (an admitted run's input). */
  inputSchema: z.ZodType;
  outputSchema: z.ZodType | null;
  requiredScopes: string[];
  policy: PolicyContract;
  runtime: RuntimeRouting | null;
  runtimeFamily: RuntimeFamily | null;
  consumerSurface: OperationSurface | TriggerSurface;
  schemaPolicy: Record<string, SchemaMode | string | null>;
  timeoutMs: number;
  /** The operation's transport, or the trigger's delivery mode. */
  transportProfile: string;
  handler: DirectHandler<unknown, unknown> | null;
  operation: OperationDefinition | null;
  trigger: TriggerDefinition | null;
  metadata: Record<string, unknown>;
}

export function normalizePolicy(id: string, runtimeClass: RuntimeClass, authored: unknown): PolicyContract {
  const parsed = PolicyContractSchema.parse(authored ?? {});
  return {
    actor: parsed.actor,
    tenant: parsed.tenant,
    environment: parsed.environment,
    runtime: { allowed: parsed.runtime.allowed ?? [runtimeClass] },
    allowedOperations: parsed.allowedOperations ?? [id],
    sandbox: {
      level: parsed.sandbox.level ?? 'standard',
      egress: parsed.sandbox.egress ?? 'restricted',
      approvals: parsed.sandbox.approvals ?? 'auto',
      fileScope: parsed.sandbox.fileScope ?? null,
      allowedTools: parsed.sandbox.allowedTools ?? [],
    },
  };
}

export function capabilityFromOperation(connectorId: string, op: OperationDefinition): Capability {
  return {
    id: op.id,
    connectorId,
    kind: 'operation',
    runtimeClass: op.runtimeClass,
    name: op.name,
    displayName: op.displayName,
    description: op.description,
    inputSchema: op.input,
    outputSchema: op.output,
    requiredScopes: op.scopes,
    policy: normalizePolicy(op.id, op.runtimeClass, op.policy),
    runtime: op.runtime,
    runtimeFamily: op.runtimeFamily,
    consumerSurface: op.consumerSurface,
    schemaPolicy: op.schemaPolicy,
    timeoutMs: op.timeoutMs,
    transportProfile: op.transport,
    handler: op.handler as DirectHandler<unknown, unknown> | null,
    operation: op,
    trigger: null,
    metadata: op.metadata,
  };
}

export function capabilityFromTrigger(connectorId: string, trigger: TriggerDefinition): Capability {
  return {
    id: trigger.id,
    connectorId,
    kind: 'trigger',
    runtimeClass: trigger.runtimeClass,
    name: trigger.name,
    displayName: trigger.displayName,
    description: trigger.description,
    inputSchema: trigger.signal,
    outputSchema: null,
    requiredScopes: trigger.scopes,
    policy: normalizePolicy(trigger.id, trigger.runtimeClass, trigger.policy),
    runtime: null,
    runtimeFamily: null,
    consumerSurface: trigger.consumerSurface,
    schemaPolicy: trigger.schemaPolicy,
    timeoutMs: trigger.timeoutMs,
    transportProfile: trigger.deliveryMode,
    handler: trigger.handler as DirectHandler<unknown, unknown> | null,
    operation: null,
    trigger,
    metadata: trigger.metadata,
  };
}
