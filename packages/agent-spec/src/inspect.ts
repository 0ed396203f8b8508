import { isIntegrationError, type SerializedError } from '@integration/contracts';
import { planAgent, type AgentPlan } from './plan';
import { operationKind, operationSource } from './operation-match';
import type { AgentSpec, ApprovalPolicy, EntryApproval, OperationMatch, ToolSource } from './spec';

/** Plain data only: executables become their names, schemas become `true`. */
export interface AgentProjection {
  id: string;
  instructions: string;
  model: string;
  generation: AgentSpec['generation'];
  contextSchema: boolean;
  result: { schema: true; maxRepairs: number; metadata: Record<string, unknown> } | null;
  memory: AgentSpec['memory'];
  tools: Array<Record<string, unknown>>;
  operations: Array<{
    name: string;
    description: string | null;
    idempotency: string;
    kind: string;
    source: string | null;
    origin: string;
    executable: boolean;
    approval: ApprovalPolicy | null;
    metadata: Record<string, unknown>;
    parametersSchema: boolean;
  }>;
  controls: {
    maxTurns: number | null;
    timeoutMs: number | null;
    inputs: Array<{ control: string; metadata: Record<string, unknown> }>;
    operations: Array<{ control: string; match: OperationMatch; metadata: Record<string, unknown> }>;
    outputs: Array<{ control: string; metadata: Record<string, unknown> }>;
    metadata: Record<string, unknown>;
  };
  runtimeDefaults: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export type AgentInspection =
  | { kind: 'agent'; spec: AgentProjection; plan: AgentPlan }
  | { kind: 'agent'; spec: AgentProjection; error: SerializedError };

export function modelRef(spec: Pick<AgentSpec, 'model'>): string {
  return `${spec.model.provider}:${spec.model.id}`;
}

function approvalView(approval: EntryApproval | null): Record<string, unknown> | null {
  return approval ? { ...approval } : null;
}

function toolView(tool: ToolSource): Record<string, unknown> {
  switch (tool.source) {
    case 'action':
      return { source: 'action', action: tool.action.name, approval: approvalView(tool.approval) };
    case 'resource':
      return { ...tool, resource: tool.resource.name, approval: approvalView(tool.approval) };
    case 'browser':
    case 'mcp':
      return { ...tool, approval: approvalView(tool.approval) };
  }
}

/**
 * The comparable projection of a spec (what parity tests compare): provenance is left out, metadata
 * is kept as authored (an agent document declares no secrets, and none are guessed from key names),
 * and no executable or schema object appears.
 */
export function projectAgent(spec: AgentSpec): AgentProjection {
  const control = (entry: { control: { name: string }; metadata: Record<string, unknown> }) => ({ control: entry.control.name, metadata: entry.metadata });
  const projection: AgentProjection = {
    id: spec.id,
    instructions: spec.instructions,
    model: modelRef(spec),
    generation: spec.generation,
    contextSchema: spec.contextSchema !== null,
    result: spec.result ? { schema: true, maxRepairs: spec.result.maxRepairs, metadata: spec.result.metadata } : null,
    memory: spec.memory,
    tools: spec.tools.map(toolView),
    operations: spec.operations.map((op) => ({
      name: op.name,
      description: op.description,
      idempotency: op.idempotency,
      kind: operationKind(op),
      source: operationSource(op),
      origin: op.origin,
      executable: op.action !== null,
      approval: op.approval,
      metadata: op.metadata,
      parametersSchema: op.parametersSchema !== null,
    })),
    controls: {
      maxTurns: spec.controls.maxTurns,
      timeoutMs: spec.controls.timeoutMs,
      inputs: spec.controls.inputs.map(control),
      operations: spec.controls.operations.map((entry) => ({ ...control(entry), match: entry.match })),
      outputs: spec.controls.outputs.map(control),
      metadata: spec.controls.metadata,
    },
    runtimeDefaults: spec.runtimeDefaults,
    metadata: spec.metadata,
  };
  return structuredClone(projection);
}

/** The projection plus the turn plan (or the plan's error, e.g. an unguarded unsafe_once operation). */
export function inspectAgent(spec: AgentSpec): AgentInspection {
  const projection = projectAgent(spec);
  try {
    return { kind: 'agent', spec: projection, plan: planAgent(spec) };
  } catch (error) {
    if (isIntegrationError(error)) return { kind: 'agent', spec: projection, error: error.toJSON() };
    throw error;
  }
}
