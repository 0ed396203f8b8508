import type { Capability } from '@integration/contracts';
import { z } from 'zod';
import { defineAction, defineResource, type ActionDefinition, type ResourceDefinition } from './definitions';
import { operationNamePattern, type Idempotency } from './document-schema';
import { invalidDocument } from './errors';
import { snakeName } from './define-agent';

/** The request this bridge sends; a subset of the platform's InvocationRequestInput. */
export interface CapabilityInvokeRequest {
  capabilityId: string;
  input: unknown;
  connectionId?: string;
  actorId?: string;
  tenantId?: string;
  environment?: string;
  traceId?: string;
  extensions?: Record<string, unknown>;
}

/** Just what the bridge needs from `@integration/platform` (or a control plane). */
export interface CapabilityPlatform {
  capabilities(): Capability[] | Promise<Capability[]>;
  invoke(request: CapabilityInvokeRequest): Promise<{ output: unknown }>;
}

const BridgeOptionsSchema = z.strictObject({
  connectionId: z.string().min(1).optional(),
  actorId: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  traceId: z.string().min(1).optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
  /** Only capabilities of this connector. */
  connectorId: z.string().min(1).optional(),
  /** Only these capability ids. */
  capabilityIds: z.array(z.string().min(1)).optional(),
  /** Idempotency per capability (default `idempotent`). */
  idempotency: z.custom<(capability: Capability) => Idempotency>((v) => typeof v === 'function').optional(),
});
export type CapabilityActionsOptions = z.input<typeof BridgeOptionsSchema>;

/** The tool name of a capability: its common consumer surface's actionName, else its id in snake case. */
export function capabilityActionName(capability: Capability): string {
  const surface = capability.consumerSurface as { mode: string; actionName?: string };
  return surface.mode === 'common' && typeof surface.actionName === 'string' ? surface.actionName : snakeName(capability.id);
}

async function selectedActions(platform: CapabilityPlatform, options: CapabilityActionsOptions): Promise<Array<{ capability: Capability; action: ActionDefinition }>> {
  const parsed = BridgeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw invalidDocument(`invalid capabilityActions options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, { kind: 'invalid_options' });
  }
  const { connectorId, capabilityIds, idempotency, ...request } = parsed.data;
  const all = await platform.capabilities();
  const wanted = capabilityIds ? new Set(capabilityIds) : null;
  const chosen = all.filter((c) => c.kind === 'operation' && (!connectorId || c.connectorId === connectorId) && (!wanted || wanted.has(c.id)));
  if (wanted) {
    const missing = [...wanted].filter((id) => !chosen.some((c) => c.id === id));
    if (missing.length > 0) {
      throw invalidDocument(`no operation capabilities named ${missing.map((m) => `"${m}"`).join(', ')}`, { kind: 'unknown_capability', capabilityIds: missing });
    }
  }
  return chosen.map((capability) => {
    const name = capabilityActionName(capability);
    if (!operationNamePattern.test(name)) {
      throw invalidDocument(`capability ${capability.id} gives the invalid tool name "${name}"`, { kind: 'invalid_operation_name', name, capabilityId: capability.id });
    }
    const action = defineAction({
      name,
      description: capability.description,
      input: capability.inputSchema,
      idempotency: idempotency?.(capability) ?? 'idempotent',
      metadata: { capabilityId: capability.id, connectorId: capability.connectorId, runtimeClass: capability.runtimeClass },
      run: async (args) => {
        const result = await platform.invoke({ ...request, capabilityId: capability.id, input: args });
        return result.output;
      },
    });
    return { capability, action };
  });
}

/**
 * An actions registry built from connector capabilities: each operation capability becomes an
 * action whose run calls `platform.invoke` with the given connection. Keys are the tool name and
 * the capability id, so a document may say `- create_issue` or `- github.issue.create`.
 */
export async function capabilityActions(platform: CapabilityPlatform, options: CapabilityActionsOptions = {}): Promise<Map<string, ActionDefinition>> {
  const registry = new Map<string, ActionDefinition>();
  for (const { capability, action } of await selectedActions(platform, options)) {
    const existing = registry.get(action.name);
    if (existing) {
      throw invalidDocument(`two capabilities give the tool name "${action.name}"; filter by connectorId or capabilityIds`, {
        kind: 'duplicate_action_name',
        name: action.name,
      });
    }
    registry.set(action.name, action);
    if (capability.id !== action.name) registry.set(capability.id, action);
  }
  return registry;
}

/** A resources registry: one resource per connector, holding that connector's operation capabilities as actions. */
export async function capabilityResources(platform: CapabilityPlatform, options: CapabilityActionsOptions = {}): Promise<Map<string, ResourceDefinition>> {
  const byConnector = new Map<string, ActionDefinition[]>();
  for (const { capability, action } of await selectedActions(platform, options)) {
    const list = byConnector.get(capability.connectorId) ?? [];
    list.push(action);
    byConnector.set(capability.connectorId, list);
  }
  return new Map([...byConnector].map(([connectorId, actions]) => [connectorId, defineResource({ name: connectorId, actions })]));
}
