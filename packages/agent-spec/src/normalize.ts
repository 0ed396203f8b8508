import { invalidDocument } from './errors';
import { isPlainObject } from './sanitize';

type Data = Record<string, unknown>;

/** Agent keys that may appear flat at the top level of a document; they are wrapped into `agent`. */
export const flatAgentKeys = [
  'id',
  'model',
  'generation',
  'instructions',
  'context',
  'context_schema',
  'result',
  'result_schema',
  'memory',
] as const;

/**
 * Structural normalisation before schema validation (the document's accepted shorthands):
 * flat agent keys wrapped into `agent`; aliases renamed to their canonical key; singular
 * list keys (`action`, `input`, …) turned into lists; scalar entries turned into maps.
 * Works on a sanitized copy, so mutating it is safe.
 */
export function normalizeDocument(data: unknown): Data {
  if (!isPlainObject(data)) {
    throw invalidDocument('an agent document must be a map at the top level', {
      kind: 'invalid_document',
      issues: [{ path: '(root)', message: `expected a map, received ${Array.isArray(data) ? 'a list' : data === null ? 'nothing' : typeof data}` }],
    });
  }
  const doc: Data = { ...data };
  if (doc.agent === undefined && flatAgentKeys.some((key) => key in doc)) {
    const agent: Data = {};
    for (const key of flatAgentKeys) {
      if (key in doc) {
        agent[key] = doc[key];
        delete doc[key];
      }
    }
    doc.agent = agent;
  }
  if (isPlainObject(doc.agent)) doc.agent = normalizeAgent(doc.agent);
  if (isPlainObject(doc.tools)) doc.tools = normalizeTools(doc.tools);
  if (isPlainObject(doc.controls)) doc.controls = normalizeControls(doc.controls);
  if (isPlainObject(doc.operations)) doc.operations = [doc.operations];
  return doc;
}

function normalizeAgent(input: Data): Data {
  const agent: Data = { ...input };
  alias(agent, 'context', 'context_schema', 'agent');
  alias(agent, 'result', 'result_schema', 'agent');
  if (typeof agent.context === 'string') agent.context = { ref: agent.context };
  else if (isPlainObject(agent.context)) agent.context = aliased(agent.context, 'ref', 'schema_ref', 'agent.context');
  if (typeof agent.result === 'string') agent.result = { ref: agent.result };
  else if (isPlainObject(agent.result)) agent.result = aliased(agent.result, 'ref', 'schema_ref', 'agent.result');
  if (agent.memory === true) agent.memory = {};
  else if (agent.memory === false || agent.memory === null) delete agent.memory;
  if (isPlainObject(agent.generation) && !('params' in agent.generation)) {
    const { provider_options, extra, ...params } = agent.generation;
    agent.generation = { params, ...(provider_options === undefined ? {} : { provider_options }), ...(extra === undefined ? {} : { extra }) };
  }
  return agent;
}

/** Tool sources: plural key canonical, singular accepted; each entry's ref may use the source's own name. */
const toolSources: Array<{ key: string; singular: string; refKey: string; refAliases: string[] }> = [
  { key: 'actions', singular: 'action', refKey: 'ref', refAliases: ['action'] },
  { key: 'resources', singular: 'resource', refKey: 'ref', refAliases: ['resource'] },
  { key: 'mcp_tools', singular: 'mcp_tool', refKey: 'endpoint', refAliases: ['ref'] },
  { key: 'browsers', singular: 'browser', refKey: 'name', refAliases: ['ref'] },
  { key: 'catalogs', singular: 'catalog', refKey: 'ref', refAliases: [] },
];

function normalizeTools(input: Data): Data {
  const tools: Data = { ...input };
  // Jidoka's `ash_resources` are resources here: a registry entry that expands into several actions.
  alias(tools, 'ash_resources', 'ash_resource', 'tools');
  alias(tools, 'resources', 'ash_resources', 'tools');
  for (const source of toolSources) {
    alias(tools, source.key, source.singular, 'tools');
    if (tools[source.key] === undefined || tools[source.key] === null) {
      delete tools[source.key];
      continue;
    }
    tools[source.key] = listOf(tools[source.key]).map((entry, index) => {
      if (typeof entry === 'string') return { [source.refKey]: entry };
      if (!isPlainObject(entry)) return entry;
      let out = entry;
      for (const name of source.refAliases) out = aliased(out, source.refKey, name, `tools.${source.key}.${index}`);
      if (source.key === 'mcp_tools' && Array.isArray(out.tools)) {
        out = { ...out, tools: out.tools.map((tool, i) => (isPlainObject(tool) ? aliased(tool, 'input_schema', 'inputSchema', `tools.mcp_tools.${index}.tools.${i}`) : tool)) };
      }
      return out;
    });
  }
  return tools;
}

function normalizeControls(input: Data): Data {
  for (const [legacy, replacement] of [
    ['result', 'outputs'],
    ['results', 'outputs'],
  ] as const) {
    if (legacy in input) {
      throw invalidDocument(`controls.${legacy} is not supported; declare output controls under controls.${replacement}`, {
        kind: 'unsupported_control_key',
        key: legacy,
        replacement,
        path: `controls.${legacy}`,
      });
    }
  }
  const controls: Data = { ...input };
  alias(controls, 'timeout_ms', 'timeout', 'controls');
  for (const [key, singular] of [
    ['inputs', 'input'],
    ['operations', 'operation'],
    ['outputs', 'output'],
  ] as const) {
    alias(controls, key, singular, 'controls');
    if (controls[key] === undefined || controls[key] === null) {
      delete controls[key];
      continue;
    }
    controls[key] = listOf(controls[key]).map((entry, index) => {
      if (typeof entry === 'string') return { control: entry };
      if (!isPlainObject(entry)) return entry;
      let out = aliased(entry, 'control', 'ref', `controls.${key}.${index}`);
      if (key === 'operations') out = aliased(out, 'when', 'match', `controls.${key}.${index}`);
      return out;
    });
  }
  return controls;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Moves `from` to `to` in place; both present is an error rather than a silent choice. */
function alias(target: Data, to: string, from: string, at: string): void {
  if (!(from in target)) return;
  if (to in target) {
    throw invalidDocument(`${at}.${to} and its alias ${at}.${from} are both set; keep one`, {
      kind: 'conflicting_keys',
      keys: [to, from],
      path: at,
    });
  }
  target[to] = target[from];
  delete target[from];
}

function aliased(entry: Data, to: string, from: string, at: string): Data {
  const copy = { ...entry };
  alias(copy, to, from, at);
  return copy;
}
