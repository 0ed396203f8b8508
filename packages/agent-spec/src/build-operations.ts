import { operationNamePattern } from './document-schema';
import { isAction, isResource } from './definitions';
import type { AgentInput } from './define-agent-input';
import { approvalFor, approvalPolicy, entryApproval } from './approval';
import { invalidDocument } from './errors';
import type { Operation, ToolSource } from './spec';

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

/** Expands the tool sources (in order: actions, resources, browsers, MCP) and the declared operations. */
export function buildOperations(agent: AgentInput): { tools: ToolSource[]; operations: Operation[] } {
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

