import { issuesOf } from '@integration/contracts';
import { isZodSchema } from './definitions';
import { DefineAgentInputSchema, type AgentInput, type DefineAgentInput } from './define-agent-input';
import { buildOperations } from './build-operations';
import { buildControls } from './build-controls';
import { schemaFailure } from './errors';
import { DEFAULT_GENERATION_PARAMS, DEFAULT_INSTRUCTIONS, DEFAULT_MODEL, type AgentSpec, type Provenance } from './spec';

export { DefineAgentInputSchema, type DefineAgentInput } from './define-agent-input';
export { snakeName } from './build-operations';

/** The TypeScript authoring path: validates the input and compiles it into an AgentSpec. */
export function defineAgent(input: DefineAgentInput): AgentSpec {
  return compileAgent(input, { kind: 'define' });
}

/** Shared by defineAgent and the importer, so both produce the same spec for the same content. */
export function compileAgent(input: unknown, provenance: Provenance, label = 'invalid agent definition'): AgentSpec {
  const parsed = DefineAgentInputSchema.safeParse(input);
  if (!parsed.success) throw schemaFailure(label, issuesOf(parsed.error));
  const agent = parsed.data;
  const { tools, operations } = buildOperations(agent);
  return {
    id: agent.id,
    instructions: agent.instructions ?? DEFAULT_INSTRUCTIONS,
    model: agent.model ?? { ...DEFAULT_MODEL },
    generation: agent.generation
      ? { params: agent.generation.params ?? {}, providerOptions: agent.generation.providerOptions ?? {}, extra: agent.generation.extra ?? {} }
      : { params: { ...DEFAULT_GENERATION_PARAMS }, providerOptions: {}, extra: {} },
    contextSchema: agent.context ?? null,
    result: buildResult(agent.result),
    memory: buildMemory(agent.memory),
    tools,
    operations,
    controls: buildControls(agent.controls),
    runtimeDefaults: agent.runtimeDefaults ?? {},
    metadata: agent.metadata ?? {},
    provenance,
  };
}

function buildResult(result: AgentInput['result']): AgentSpec['result'] {
  if (!result) return null;
  if (isZodSchema(result)) return { schema: result, maxRepairs: 1, metadata: {} };
  return { schema: result.schema, maxRepairs: result.maxRepairs ?? 1, metadata: result.metadata ?? {} };
}

function buildMemory(memory: AgentInput['memory']): AgentSpec['memory'] {
  if (memory === undefined || memory === null || memory === false) return null;
  const m = memory === true ? {} : memory;
  return {
    enabled: m.enabled ?? true,
    scope: m.scope ?? 'agent',
    namespace: m.namespace ?? null,
    capture: m.capture ?? 'manual',
    inject: m.inject ?? 'instructions',
    maxEntries: m.maxEntries ?? 5,
    metadata: m.metadata ?? {},
  };
}

