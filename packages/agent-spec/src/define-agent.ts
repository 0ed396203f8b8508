import { z } from 'zod';
import { issuesOf } from '@integration/contracts';
import {
  BrowserModeSchema,
  IdempotencySchema,
  JsonRecord,
  browserNamePattern,
  MatchSchema,
  ModelSchema,
  agentIdPattern,
  operationNamePattern,
  type Idempotency,
} from './document-schema';
import { isAction, isControl, isResource, isZodSchema, type ActionDefinition, type ControlDefinition, type ResourceDefinition } from './definitions';
import { invalidDocument, schemaFailure } from './errors';
import {
  DEFAULT_GENERATION_PARAMS,
  DEFAULT_INSTRUCTIONS,
  DEFAULT_MODEL,
  type AgentSpec,
  type ApprovalPolicy,
  type BoundaryControl,
  type EntryApproval,
  type Operation,
  type OperationControl,
  type Provenance,
  type ToolSource,
} from './spec';

const Action = z.custom<ActionDefinition>(isAction, 'expected an action built with defineAction');
const Control = z.custom<ControlDefinition>(isControl, 'expected a control built with defineControl');
const Resource = z.custom<ResourceDefinition>(isResource, 'expected a resource built with defineResource');
const Schema = z.custom<z.ZodType>(isZodSchema, 'expected a zod schema');
const Text = z.string().min(1, 'must not be empty');

const approvalFields = {
  required: z.boolean().optional(),
  mode: z.literal('pre_execution').optional(),
  reason: Text.optional(),
  message: z.string().optional(),
  ttlMs: z.number().int().positive().optional(),
  metadata: JsonRecord.optional(),
};
const ApprovalInputSchema = z.union([z.boolean(), z.null(), z.strictObject(approvalFields)]);
const EntryApprovalInputSchema = z.union([
  z.boolean(),
  z.null(),
  z.strictObject({ ...approvalFields, only: z.array(Text).optional(), except: z.array(Text).optional() }),
]);

const McpInputSchema = z.strictObject({
  endpoint: Text,
  prefix: z.string().optional(),
  tools: z.array(z.strictObject({ name: Text, description: z.string().optional(), inputSchema: JsonRecord.optional() })).optional(),
  required: z.boolean().optional(),
  transport: JsonRecord.optional(),
  clientInfo: JsonRecord.optional(),
  protocolVersion: z.string().optional(),
  capabilities: JsonRecord.optional(),
  timeouts: JsonRecord.optional(),
  description: z.string().optional(),
  idempotency: IdempotencySchema.optional(),
  approval: EntryApprovalInputSchema.optional(),
  metadata: JsonRecord.optional(),
});

const BoundaryControlInput = z.union([Control, z.strictObject({ control: Control, metadata: JsonRecord.optional() })]);

/** The TypeScript authoring input; the importer builds exactly this from a document. */
export const DefineAgentInputSchema = z.strictObject({
  id: z.string().regex(agentIdPattern, 'must be lower_snake (letters, digits, "_"), starting with a letter'),
  model: ModelSchema.optional(),
  instructions: Text.optional(),
  generation: z
    .strictObject({ params: JsonRecord.optional(), providerOptions: JsonRecord.optional(), extra: JsonRecord.optional() })
    .optional(),
  context: Schema.nullable().optional(),
  result: z
    .union([Schema, z.strictObject({ schema: Schema, maxRepairs: z.number().int().nonnegative().optional(), metadata: JsonRecord.optional() })])
    .nullable()
    .optional(),
  memory: z
    .union([
      z.boolean(),
      z.null(),
      z.strictObject({
        enabled: z.boolean().optional(),
        scope: z.enum(['agent', 'session']).optional(),
        namespace: Text.optional(),
        capture: z.enum(['manual', 'conversation', 'off']).optional(),
        inject: z.enum(['instructions', 'context']).optional(),
        maxEntries: z.number().int().positive().optional(),
        metadata: JsonRecord.optional(),
      }),
    ])
    .optional(),
  tools: z
    .strictObject({
      actions: z.array(z.union([Action, z.strictObject({ action: Action, approval: EntryApprovalInputSchema.optional() })])).optional(),
      resources: z
        .array(
          z.union([
            Resource,
            z.strictObject({
              resource: Resource,
              actions: z.array(Text).optional(),
              description: z.string().optional(),
              idempotency: IdempotencySchema.optional(),
              approval: EntryApprovalInputSchema.optional(),
              metadata: JsonRecord.optional(),
            }),
          ]),
        )
        .optional(),
      browsers: z
        .array(
          z.strictObject({
            name: z.string().regex(browserNamePattern, 'must be lower_snake'),
            mode: BrowserModeSchema.optional(),
            allow: z.array(Text).optional(),
            description: z.string().optional(),
            idempotency: IdempotencySchema.optional(),
            approval: EntryApprovalInputSchema.optional(),
            metadata: JsonRecord.optional(),
          }),
        )
        .optional(),
      mcpTools: z.array(McpInputSchema).optional(),
    })
    .optional(),
  operations: z
    .array(
      z.strictObject({
        name: z.string().regex(operationNamePattern, 'must start with a letter and use only letters, digits, "_" or "-" (at most 64)'),
        description: z.string().optional(),
        idempotency: IdempotencySchema.optional(),
        approval: ApprovalInputSchema.optional(),
        metadata: JsonRecord.optional(),
        parametersSchema: JsonRecord.optional(),
      }),
    )
    .optional(),
  controls: z
    .strictObject({
      maxTurns: z.number().int().positive().optional(),
      timeoutMs: z.number().int().positive().optional(),
      inputs: z.array(BoundaryControlInput).optional(),
      operations: z.array(z.strictObject({ control: Control, when: MatchSchema.optional(), metadata: JsonRecord.optional() })).optional(),
      outputs: z.array(BoundaryControlInput).optional(),
      metadata: JsonRecord.optional(),
    })
    .optional(),
  runtimeDefaults: JsonRecord.optional(),
  metadata: JsonRecord.optional(),
});

export type DefineAgentInput = z.input<typeof DefineAgentInputSchema>;
type AgentInput = z.output<typeof DefineAgentInputSchema>;
type ApprovalInput = z.output<typeof EntryApprovalInputSchema>;

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

export function approvalPolicy(input: ApprovalInput | undefined): ApprovalPolicy | null {
  if (input === undefined || input === null || input === false) return null;
  const a = input === true ? {} : input;
  return {
    required: a.required ?? true,
    mode: 'pre_execution',
    reason: a.reason ?? 'approval_required',
    message: a.message ?? null,
    ttlMs: a.ttlMs ?? null,
    metadata: a.metadata ?? {},
  };
}

function entryApproval(input: ApprovalInput | undefined): EntryApproval | null {
  const policy = approvalPolicy(input);
  if (!policy || typeof input !== 'object' || input === null) return policy ? { ...policy, only: null, except: null } : null;
  const entry = input as { only?: string[]; except?: string[] };
  return { ...policy, only: entry.only ?? null, except: entry.except ?? null };
}

/** The policy an entry approval gives one generated operation (`only`/`except` filter by name; "unsafe_once" by idempotency). */
function approvalFor(entry: EntryApproval | null, name: string, idempotency: Idempotency): ApprovalPolicy | null {
  if (!entry) return null;
  const hit = (list: string[]) => list.includes(name) || (idempotency === 'unsafe_once' && list.includes('unsafe_once'));
  if (entry.only && !hit(entry.only)) return null;
  if (entry.except && hit(entry.except)) return null;
  const { only: _only, except: _except, ...policy } = entry;
  return policy;
}

export function snakeName(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const urlParameters = { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] };
/** The operations a browser source declares; a handler passed to chat performs them (and enforces `allow`). */
const browserTools: Record<'search' | 'read_only', Array<{ name: string; description: string; parametersSchema: Record<string, unknown> }>> = {
  search: [
    {
      name: 'search_web',
      description: 'Searches the web.',
      parametersSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    },
  ],
  read_only: [],
};
browserTools.read_only = [
  ...browserTools.search,
  { name: 'read_page', description: 'Reads a web page as text.', parametersSchema: urlParameters },
  { name: 'snapshot_url', description: 'Captures a snapshot of a web page.', parametersSchema: urlParameters },
];

function buildOperations(agent: AgentInput): { tools: ToolSource[]; operations: Operation[] } {
  const tools: ToolSource[] = [];
  const operations: Operation[] = [];

  for (const item of agent.tools?.actions ?? []) {
    const entry = isAction(item) ? { action: item, approval: undefined } : item;
    const approval = entryApproval(entry.approval);
    const action = entry.action;
    tools.push({ source: 'action', action, approval });
    operations.push({
      name: action.name,
      description: action.description,
      idempotency: action.idempotency,
      approval: approvalFor(approval, action.name, action.idempotency),
      metadata: { ...action.metadata, source: 'action', action: action.name },
      parametersSchema: action.parametersSchema,
      origin: 'action',
      action,
    });
  }

  for (const item of agent.tools?.resources ?? []) {
    const entry = isResource(item) ? { resource: item } : item;
    const resource = entry.resource;
    const available = new Set(resource.actions.map((a) => a.name));
    const missing = (entry.actions ?? []).filter((name) => !available.has(name));
    if (missing.length > 0) {
      throw invalidDocument(`resource "${resource.name}" has no actions named ${missing.map((m) => `"${m}"`).join(', ')}`, {
        kind: 'unknown_resource_action',
        resource: resource.name,
        actions: missing,
      });
    }
    const approval = entryApproval(entry.approval);
    const source: ToolSource = {
      source: 'resource',
      resource,
      actions: entry.actions ? [...entry.actions] : null,
      description: entry.description ?? null,
      idempotency: entry.idempotency ?? null,
      approval,
      metadata: entry.metadata ?? {},
    };
    tools.push(source);
    for (const action of resource.actions) {
      if (entry.actions && !entry.actions.includes(action.name)) continue;
      const idempotency = entry.idempotency ?? action.idempotency;
      operations.push({
        name: action.name,
        description: entry.description ?? action.description,
        idempotency,
        approval: approvalFor(approval, action.name, idempotency),
        metadata: { ...action.metadata, ...source.metadata, source: 'resource', kind: 'resource', resource: resource.name, action: action.name },
        parametersSchema: action.parametersSchema,
        origin: 'resource',
        action,
      });
    }
  }

  for (const entry of agent.tools?.browsers ?? []) {
    const mode = entry.mode ?? 'read_only';
    const allow = entry.allow ?? [];
    const approval = entryApproval(entry.approval);
    const metadata = entry.metadata ?? {};
    tools.push({
      source: 'browser',
      name: entry.name,
      mode,
      allow: [...allow],
      description: entry.description ?? null,
      idempotency: entry.idempotency ?? null,
      approval,
      metadata,
    });
    for (const tool of browserTools[mode]) {
      const idempotency = entry.idempotency ?? 'idempotent';
      operations.push({
        name: tool.name,
        description: entry.description ?? tool.description,
        idempotency,
        approval: approvalFor(approval, tool.name, idempotency),
        metadata: { ...metadata, source: 'browser', kind: 'browser', browser: entry.name, mode, allow: [...allow] },
        parametersSchema: tool.parametersSchema,
        origin: 'browser',
        action: null,
      });
    }
  }

  for (const entry of agent.tools?.mcpTools ?? []) {
    const staticTools = entry.tools ?? [];
    if (entry.required && staticTools.length === 0) {
      throw invalidDocument(`MCP endpoint "${entry.endpoint}" is required but lists no tools, and tool discovery is not supported`, {
        kind: 'mcp_tool_discovery_disabled',
        endpoint: entry.endpoint,
      });
    }
    const prefix = entry.prefix ?? `mcp_${snakeName(entry.endpoint)}_`;
    const approval = entryApproval(entry.approval);
    const metadata = entry.metadata ?? {};
    tools.push({
      source: 'mcp',
      endpoint: entry.endpoint,
      prefix,
      required: entry.required ?? false,
      transport: entry.transport ?? {},
      clientInfo: entry.clientInfo ?? {},
      protocolVersion: entry.protocolVersion ?? null,
      capabilities: entry.capabilities ?? {},
      timeouts: entry.timeouts ?? {},
      tools: staticTools.map((t) => ({ name: t.name, description: t.description ?? null, inputSchema: t.inputSchema ?? null })),
      description: entry.description ?? null,
      idempotency: entry.idempotency ?? null,
      approval,
      metadata,
    });
    for (const tool of staticTools) {
      const name = `${prefix}${snakeName(tool.name)}`;
      if (!operationNamePattern.test(name)) {
        throw invalidDocument(`MCP tool "${tool.name}" of "${entry.endpoint}" gives the invalid operation name "${name}"`, {
          kind: 'invalid_operation_name',
          name,
          endpoint: entry.endpoint,
        });
      }
      const idempotency = entry.idempotency ?? 'idempotent';
      operations.push({
        name,
        description: tool.description ?? entry.description ?? null,
        idempotency,
        approval: approvalFor(approval, name, idempotency),
        metadata: { ...metadata, source: 'mcp', kind: 'mcp', endpoint: entry.endpoint, remoteTool: tool.name, prefix },
        parametersSchema: tool.inputSchema ?? { type: 'object' },
        origin: 'mcp',
        action: null,
      });
    }
  }

  for (const op of agent.operations ?? []) {
    operations.push({
      name: op.name,
      description: op.description ?? null,
      idempotency: op.idempotency ?? 'idempotent',
      approval: approvalPolicy(op.approval),
      metadata: op.metadata ?? {},
      parametersSchema: op.parametersSchema ?? null,
      origin: 'declared',
      action: null,
    });
  }

  const seen = new Set<string>();
  for (const op of operations) {
    if (seen.has(op.name)) {
      throw invalidDocument(`operation "${op.name}" is declared more than once`, { kind: 'duplicate_operation', name: op.name });
    }
    seen.add(op.name);
  }
  return { tools, operations };
}

function boundaryControls(list: z.output<typeof BoundaryControlInput>[] | undefined, boundary: 'input' | 'output'): BoundaryControl[] {
  const out: BoundaryControl[] = [];
  for (const item of list ?? []) {
    const entry = isControl(item) ? { control: item, metadata: {} } : { control: item.control, metadata: item.metadata ?? {} };
    if (out.some((existing) => existing.control.name === entry.control.name)) {
      throw invalidDocument(`${boundary} control "${entry.control.name}" is declared more than once`, {
        kind: `duplicate_${boundary}_control`,
        control: entry.control.name,
      });
    }
    out.push(entry);
  }
  return out;
}

function buildControls(controls: AgentInput['controls']): AgentSpec['controls'] {
  const operations: OperationControl[] = [];
  for (const item of controls?.operations ?? []) {
    const entry: OperationControl = { control: item.control, match: item.when ?? {}, metadata: item.metadata ?? {} };
    const key = JSON.stringify(sortKeys(entry.match));
    if (operations.some((o) => o.control.name === entry.control.name && JSON.stringify(sortKeys(o.match)) === key)) {
      throw invalidDocument(`operation control "${entry.control.name}" is declared twice with the same match`, {
        kind: 'duplicate_operation_control',
        control: entry.control.name,
        match: entry.match,
      });
    }
    operations.push(entry);
  }
  return {
    maxTurns: controls?.maxTurns ?? null,
    timeoutMs: controls?.timeoutMs ?? null,
    inputs: boundaryControls(controls?.inputs, 'input'),
    operations,
    outputs: boundaryControls(controls?.outputs, 'output'),
    metadata: controls?.metadata ?? {},
  };
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
