import YAML from 'yaml';
import type { z } from 'zod';
import { invalidDocument } from './errors';
import { DOCUMENT_VERSION, type AgentDocumentInput } from './document-schema';
import { refOf, type Registries } from './registry';
import type { AgentSpec, ApprovalPolicy, EntryApproval } from './spec';

export interface ExportOptions {
  /** `object` (default) returns the document; `json` and `yaml` return text. */
  format?: 'object' | 'json' | 'yaml';
  /**
   * Registries to find refs by identity (the key under which the exact action, control or schema
   * is registered). Without them, actions, resources and controls export under their names, and
   * schemas under the refs an imported spec was built from.
   */
  registries?: Registries;
}

export function exportAgent(spec: AgentSpec, options?: { format?: 'object'; registries?: Registries }): AgentDocumentInput;
export function exportAgent(spec: AgentSpec, options: { format: 'json' | 'yaml'; registries?: Registries }): string;
/**
 * Writes a spec back to a version 1 document that imports to the same spec (given registries
 * holding the same actions, controls and schemas under the exported refs).
 */
export function exportAgent(spec: AgentSpec, options: ExportOptions = {}): AgentDocumentInput | string {
  const registries = options.registries ?? {};
  // A detached copy: editing the document never reaches the spec.
  const document = structuredClone(buildDocument(spec, registries));
  if (options.format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  if (options.format === 'yaml') return YAML.stringify(document, { aliasDuplicateObjects: false });
  return document;
}

function approvalOut(approval: ApprovalPolicy | EntryApproval | null): Record<string, unknown> | undefined {
  if (!approval) return undefined;
  const entry = approval as Partial<EntryApproval>;
  return {
    required: approval.required,
    mode: approval.mode,
    reason: approval.reason,
    ...(approval.message === null ? {} : { message: approval.message }),
    ...(approval.ttlMs === null ? {} : { ttl_ms: approval.ttlMs }),
    metadata: approval.metadata,
    ...(entry.only ? { only: entry.only } : {}),
    ...(entry.except ? { except: entry.except } : {}),
  };
}

function schemaRef(spec: AgentSpec, registries: Registries, kind: 'context' | 'result', schema: z.ZodType): string {
  const registry = kind === 'context' ? 'contextSchemas' : 'resultSchemas';
  const byIdentity = refOf(registries, registry, schema);
  if (byIdentity) return byIdentity;
  const recorded = spec.provenance.kind === 'import' ? spec.provenance.refs[kind === 'context' ? 'contextSchema' : 'resultSchema'] : null;
  if (recorded) return recorded;
  throw invalidDocument(`the ${kind} schema has no ref; pass registries holding it to exportAgent`, {
    kind: `unexportable_${kind}_schema`,
    registry,
  });
}

const defined = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

function buildDocument(spec: AgentSpec, registries: Registries): AgentDocumentInput {
  const model = spec.model.provider.includes(':') ? { provider: spec.model.provider, id: spec.model.id } : `${spec.model.provider}:${spec.model.id}`;
  const agent = defined({
    id: spec.id,
    model,
    instructions: spec.instructions,
    generation: defined({
      params: spec.generation.params,
      provider_options: Object.keys(spec.generation.providerOptions).length > 0 ? spec.generation.providerOptions : undefined,
      extra: Object.keys(spec.generation.extra).length > 0 ? spec.generation.extra : undefined,
    }),
    context: spec.contextSchema ? { ref: schemaRef(spec, registries, 'context', spec.contextSchema) } : undefined,
    result: spec.result
      ? { ref: schemaRef(spec, registries, 'result', spec.result.schema), max_repairs: spec.result.maxRepairs, metadata: spec.result.metadata }
      : undefined,
    memory: spec.memory
      ? defined({
          enabled: spec.memory.enabled,
          scope: spec.memory.scope,
          namespace: spec.memory.namespace ?? undefined,
          capture: spec.memory.capture,
          inject: spec.memory.inject,
          max_entries: spec.memory.maxEntries,
          metadata: spec.memory.metadata,
        })
      : undefined,
    runtime_defaults: Object.keys(spec.runtimeDefaults).length > 0 ? spec.runtimeDefaults : undefined,
  });

  const actions: Array<Record<string, unknown>> = [];
  const resources: Array<Record<string, unknown>> = [];
  const mcpTools: Array<Record<string, unknown>> = [];
  const browsers: Array<Record<string, unknown>> = [];
  for (const tool of spec.tools) {
    if (tool.source === 'action') {
      actions.push(defined({ ref: refOf(registries, 'actions', tool.action) ?? tool.action.name, approval: approvalOut(tool.approval) }));
    } else if (tool.source === 'resource') {
      resources.push(
        defined({
          ref: refOf(registries, 'resources', tool.resource) ?? tool.resource.name,
          actions: tool.actions ?? undefined,
          description: tool.description ?? undefined,
          idempotency: tool.idempotency ?? undefined,
          approval: approvalOut(tool.approval),
          metadata: tool.metadata,
        }),
      );
    } else if (tool.source === 'browser') {
      browsers.push(
        defined({
          name: tool.name,
          mode: tool.mode,
          allow: tool.allow,
          description: tool.description ?? undefined,
          idempotency: tool.idempotency ?? undefined,
          approval: approvalOut(tool.approval),
          metadata: tool.metadata,
        }),
      );
    } else {
      mcpTools.push(
        defined({
          endpoint: tool.endpoint,
          prefix: tool.prefix,
          required: tool.required,
          transport: tool.transport,
          client_info: tool.clientInfo,
          protocol_version: tool.protocolVersion ?? undefined,
          capabilities: tool.capabilities,
          timeouts: tool.timeouts,
          tools: tool.tools.map((t) => defined({ name: t.name, description: t.description ?? undefined, input_schema: t.inputSchema ?? undefined })),
          description: tool.description ?? undefined,
          idempotency: tool.idempotency ?? undefined,
          approval: approvalOut(tool.approval),
          metadata: tool.metadata,
        }),
      );
    }
  }
  const tools = defined({
    actions: actions.length > 0 ? actions : undefined,
    resources: resources.length > 0 ? resources : undefined,
    browsers: browsers.length > 0 ? browsers : undefined,
    mcp_tools: mcpTools.length > 0 ? mcpTools : undefined,
  });

  const operations = spec.operations
    .filter((op) => op.origin === 'declared')
    .map((op) =>
      defined({
        name: op.name,
        description: op.description ?? undefined,
        idempotency: op.idempotency,
        approval: approvalOut(op.approval),
        metadata: op.metadata,
        parameters_schema: op.parametersSchema ?? undefined,
      }),
    );

  const controlRef = (control: { name: string }) => refOf(registries, 'controls', control) ?? control.name;
  const c = spec.controls;
  const controls = defined({
    max_turns: c.maxTurns ?? undefined,
    timeout_ms: c.timeoutMs ?? undefined,
    inputs: c.inputs.length > 0 ? c.inputs.map((e) => ({ control: controlRef(e.control), metadata: e.metadata })) : undefined,
    operations: c.operations.length > 0 ? c.operations.map((e) => ({ control: controlRef(e.control), when: e.match, metadata: e.metadata })) : undefined,
    outputs: c.outputs.length > 0 ? c.outputs.map((e) => ({ control: controlRef(e.control), metadata: e.metadata })) : undefined,
    metadata: Object.keys(c.metadata).length > 0 ? c.metadata : undefined,
  });

  return defined({
    version: DOCUMENT_VERSION,
    agent,
    tools: Object.keys(tools).length > 0 ? tools : undefined,
    operations: operations.length > 0 ? operations : undefined,
    controls: Object.keys(controls).length > 0 ? controls : undefined,
    metadata: Object.keys(spec.metadata).length > 0 ? spec.metadata : undefined,
  }) as AgentDocumentInput;
}
