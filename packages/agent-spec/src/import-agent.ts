import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { isIntegrationError, issuesOf, type IntegrationError } from '@integration/contracts';
import { decodeText, detectFormat, type ImportFormat } from './decode';
import { AgentDocumentSchema, DOCUMENT_VERSION, unsupportedToolSources, type AgentDocument, type DocumentApproval } from './document-schema';
import { compileAgent, type DefineAgentInput } from './define-agent';
import { isAction, isControl, isResource, isZodSchema, type ActionDefinition, type ControlDefinition, type ResourceDefinition } from './definitions';
import { importFailure, invalidDocument, pathOf, schemaFailure } from './errors';
import { ImportLimitsSchema, type ImportLimitsInput } from './limits';
import { normalizeDocument } from './normalize';
import { collectRegistries, resolveRef, type Registries, type RegistryName } from './registry';
import { isPlainObject, sanitizeDocument } from './sanitize';
import type { AgentSpec, ImportWarning, Provenance } from './spec';

export interface ImportOptions extends Registries {
  /** Force the format of a string source; otherwise JSON when it starts with `{` or `[`, else YAML. */
  format?: ImportFormat;
  /** The registries, as an alternative to the top-level options (not both for the same registry). */
  registries?: Registries;
  /** Unknown keys become errors instead of warnings. */
  strict?: boolean;
  limits?: ImportLimitsInput;
  /** Allow YAML merge keys (`<<: *anchor`). Off by default. */
  yamlMergeKeys?: boolean;
  /** Called once per warning (unknown keys when not strict). Warnings are also in `spec.provenance`. */
  onWarning?: (warning: ImportWarning) => void;
}

export type SafeImportResult = { ok: true; spec: AgentSpec; warnings: ImportWarning[] } | { ok: false; error: IntegrationError };

const OptionsSchema = z.strictObject({
  format: z.unknown().optional(),
  registries: z.unknown().optional(),
  actions: z.unknown().optional(),
  controls: z.unknown().optional(),
  contextSchemas: z.unknown().optional(),
  resultSchemas: z.unknown().optional(),
  resources: z.unknown().optional(),
  strict: z.boolean().optional(),
  limits: ImportLimitsSchema.optional(),
  yamlMergeKeys: z.boolean().optional(),
  onWarning: z.custom<(w: ImportWarning) => void>((v) => typeof v === 'function').optional(),
});

/**
 * Compiles a JSON or YAML agent document (or an already decoded object) into an AgentSpec.
 * Every executable reference resolves through the caller's registries only. Every failure is an
 * IntegrationError with `details.reason.kind`.
 */
export function importAgent(source: unknown, options: ImportOptions = {}): AgentSpec {
  return guard(() => importWith(source, options, null));
}

/** Like importAgent, but returns `{ ok, spec, warnings }` or `{ ok: false, error }` and never throws. */
export function safeImportAgent(source: unknown, options: ImportOptions = {}): SafeImportResult {
  try {
    const spec = importAgent(source, options);
    return { ok: true, spec, warnings: spec.provenance.kind === 'import' ? spec.provenance.warnings : [] };
  } catch (error) {
    return { ok: false, error: error as IntegrationError };
  }
}

/**
 * Reads a document from a path the caller chose (never one named by a document). The format
 * comes from the extension (.json, .yaml, .yml) unless `format` is given, else from the content.
 */
export async function loadAgent(path: string, options: ImportOptions = {}): Promise<AgentSpec> {
  const limits = ImportLimitsSchema.safeParse(options.limits ?? {});
  const maxBytes = limits.success ? limits.data.maxBytes : ImportLimitsSchema.parse({}).maxBytes;
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > maxBytes) {
      throw importFailure('import_limit_exceeded', `document is larger than ${maxBytes} bytes`, {
        kind: 'import_limit_exceeded',
        limit: 'bytes',
        max: maxBytes,
        actual: info.size,
      });
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isIntegrationError(error)) throw error;
    throw invalidDocument(`cannot read agent document ${path}`, { kind: 'unreadable_document', path });
  }
  const extension = extname(path).toLowerCase();
  const byExtension: ImportFormat | undefined = extension === '.json' ? 'json' : extension === '.yaml' || extension === '.yml' ? 'yaml' : undefined;
  const format = options.format ?? byExtension;
  return guard(() => importWith(text, { ...options, ...(format ? { format } : {}) }, path));
}

function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isIntegrationError(error)) throw error;
    if (error instanceof RangeError) {
      throw importFailure('import_limit_exceeded', 'document exhausted the parser', { kind: 'import_limit_exceeded', limit: 'depth' }, {}, error);
    }
    throw importFailure('invalid_argument', 'the agent document could not be imported', { kind: 'unexpected_import_failure' }, {}, error);
  }
}

function importWith(source: unknown, options: ImportOptions, filePath: string | null): AgentSpec {
  if (typeof options !== 'object' || options === null) {
    throw invalidDocument('import options must be an object', { kind: 'invalid_options' });
  }
  const parsedOptions = OptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw importFailure('invalid_argument', `invalid import options: ${issuesOf(parsedOptions.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      kind: 'invalid_options',
      issues: issuesOf(parsedOptions.error),
    });
  }
  const requested: unknown = options.format;
  if (requested !== undefined && requested !== 'json' && requested !== 'yaml') {
    throw importFailure('unsupported_import_format', 'format must be "json" or "yaml" (or omitted to detect it)', {
      kind: 'unsupported_import_format',
      format: typeof requested === 'string' ? requested.slice(0, 32) : typeof requested,
    });
  }
  const format = requested as ImportFormat | undefined;
  const limits = ImportLimitsSchema.parse(options.limits ?? {});
  const registries = collectRegistries(options as Record<string, unknown>);

  let data: unknown;
  let sourceRef: Extract<Provenance, { kind: 'import' }>['source'];
  if (typeof source === 'string') {
    const chosen = format ?? detectFormat(source);
    data = decodeText(source, chosen, { limits, yamlMergeKeys: options.yamlMergeKeys ?? false });
    sourceRef = filePath ? { kind: 'file', path: filePath, format: chosen } : { kind: 'string', format: chosen };
  } else if (isPlainObject(source)) {
    data = sanitizeDocument(source, limits, limits.maxBytes);
    sourceRef = { kind: 'object' };
  } else {
    throw invalidDocument('source must be a JSON or YAML string or a decoded document object', { kind: 'invalid_document', issues: [{ path: '(root)', message: 'expected a string or an object' }] });
  }

  if (isPlainObject(data) && Object.hasOwn(data, 'version')) {
    const version = data.version;
    if (typeof version === 'number' && Number.isInteger(version) && version !== DOCUMENT_VERSION) {
      throw importFailure('unsupported_import_document_version', `document version ${version} is not supported; this importer reads version ${DOCUMENT_VERSION}`, {
        kind: 'unsupported_import_document_version',
        version,
        supported: [DOCUMENT_VERSION],
      });
    }
  }

  const normalized = normalizeDocument(data);
  const { document, warnings } = validateDocument(normalized, options.strict ?? false);
  for (const warning of warnings) options.onWarning?.(warning);

  const input = documentToInput(document, registries);
  const provenance: Provenance = {
    kind: 'import',
    version: DOCUMENT_VERSION,
    source: sourceRef,
    refs: { contextSchema: document.agent.context?.ref ?? null, resultSchema: document.agent.result?.ref ?? null },
    warnings,
  };
  return compileAgent(input, provenance, 'invalid agent document');
}

/** Strict validation; unknown keys alone become warnings (removed) unless `strict`. */
function validateDocument(normalized: Record<string, unknown>, strict: boolean): { document: AgentDocument; warnings: ImportWarning[] } {
  const first = AgentDocumentSchema.safeParse(normalized);
  if (first.success) return { document: first.data, warnings: [] };
  const unknown = first.error.issues.filter((issue) => issue.code === 'unrecognized_keys');
  const others = first.error.issues.filter((issue) => issue.code !== 'unrecognized_keys');
  if (others.length > 0 || strict) {
    const issues = issuesOf(first.error).map((issue, index) => {
      const raw = first.error.issues[index];
      return raw?.code === 'unrecognized_keys' ? { ...issue, message: `unknown keys ${raw.keys.map((k) => `"${k}"`).join(', ')}` } : issue;
    });
    throw schemaFailure('invalid agent document', issues);
  }
  const warnings: ImportWarning[] = [];
  for (const issue of unknown) {
    if (issue.code !== 'unrecognized_keys') continue;
    const holder = at(normalized, issue.path);
    for (const key of issue.keys) {
      warnings.push({ kind: 'unknown_key', key, path: pathOf([...issue.path, key]) });
      if (isPlainObject(holder)) delete holder[key];
    }
  }
  const second = AgentDocumentSchema.safeParse(normalized);
  if (!second.success) throw schemaFailure('invalid agent document', issuesOf(second.error));
  return { document: second.data, warnings };
}

function at(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isPlainObject(node) && typeof segment === 'string' && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

function approvalIn(approval: DocumentApproval | undefined) {
  if (approval === undefined || approval === null) return approval;
  const { ttl_ms, ...rest } = approval;
  return { ...rest, ...(ttl_ms === undefined ? {} : { ttlMs: ttl_ms }) };
}

/** Document (snake_case, refs) → defineAgent input (camelCase, resolved values). */
function documentToInput(doc: AgentDocument, registries: Registries): DefineAgentInput {
  const resolve = <T>(name: RegistryName, ref: string, path: string, isValid: (v: unknown) => boolean, expected: string) =>
    resolveRef<T>(registries, name, ref, path, isValid, expected);
  const { agent } = doc;
  const tools = doc.tools ?? {};
  for (const source of unsupportedToolSources) {
    if (tools[source] !== undefined) {
      throw invalidDocument(`tools.${source} has no meaning in this importer; declare the operations under tools.actions, tools.resources or operations`, {
        kind: 'unsupported_tool_source',
        source,
        path: `tools.${source}`,
      });
    }
  }

  const input: DefineAgentInput = {
    id: agent.id,
    ...(agent.model ? { model: agent.model } : {}),
    ...(agent.instructions !== undefined ? { instructions: agent.instructions } : {}),
    ...(agent.generation
      ? {
          generation: {
            params: agent.generation.params,
            ...(agent.generation.provider_options ? { providerOptions: agent.generation.provider_options } : {}),
            ...(agent.generation.extra ? { extra: agent.generation.extra } : {}),
          },
        }
      : {}),
  };
  if (agent.context) {
    input.context = resolve<z.ZodType>('contextSchemas', agent.context.ref, 'agent.context.ref', isZodSchema, 'a zod schema');
  }
  if (agent.result) {
    input.result = {
      schema: resolve<z.ZodType>('resultSchemas', agent.result.ref, 'agent.result.ref', isZodSchema, 'a zod schema'),
      ...(agent.result.max_repairs === undefined ? {} : { maxRepairs: agent.result.max_repairs }),
      ...(agent.result.metadata ? { metadata: agent.result.metadata } : {}),
    };
  }
  if (agent.memory) {
    const { max_entries, ...memory } = agent.memory;
    input.memory = { ...memory, ...(max_entries === undefined ? {} : { maxEntries: max_entries }) };
  }

  const toolInput: NonNullable<DefineAgentInput['tools']> = {};
  if (tools.actions) {
    toolInput.actions = tools.actions.map((entry, i) => ({
      action: resolve<ActionDefinition>('actions', entry.ref, `tools.actions.${i}.ref`, isAction, 'an action built with defineAction'),
      ...(entry.approval === undefined ? {} : { approval: approvalIn(entry.approval) }),
    }));
  }
  if (tools.resources) {
    toolInput.resources = tools.resources.map(({ ref, approval, ...entry }, i) => ({
      ...entry,
      resource: resolve<ResourceDefinition>('resources', ref, `tools.resources.${i}.ref`, isResource, 'a resource built with defineResource'),
      ...(approval === undefined ? {} : { approval: approvalIn(approval) }),
    }));
  }
  if (tools.browsers) {
    toolInput.browsers = tools.browsers.map(({ approval, ...entry }) => ({ ...entry, ...(approval === undefined ? {} : { approval: approvalIn(approval) }) }));
  }
  if (tools.mcp_tools) {
    toolInput.mcpTools = tools.mcp_tools.map(({ client_info, protocol_version, approval, tools: remote, ...entry }) => ({
      ...entry,
      ...(client_info ? { clientInfo: client_info } : {}),
      ...(protocol_version === undefined ? {} : { protocolVersion: protocol_version }),
      ...(approval === undefined ? {} : { approval: approvalIn(approval) }),
      ...(remote
        ? { tools: remote.map(({ input_schema, ...tool }) => ({ ...tool, ...(input_schema ? { inputSchema: input_schema } : {}) })) }
        : {}),
    }));
  }
  if (Object.keys(toolInput).length > 0) input.tools = toolInput;

  if (doc.operations) {
    input.operations = doc.operations.map(({ parameters_schema, approval, ...op }) => ({
      ...op,
      ...(approval === undefined ? {} : { approval: approvalIn(approval) }),
      ...(parameters_schema ? { parametersSchema: parameters_schema } : {}),
    }));
  }

  if (doc.controls) {
    const c = doc.controls;
    const control = (ref: string, path: string) => resolve<ControlDefinition>('controls', ref, path, isControl, 'a control built with defineControl');
    input.controls = {
      ...(c.max_turns === undefined ? {} : { maxTurns: c.max_turns }),
      ...(c.timeout_ms === undefined ? {} : { timeoutMs: c.timeout_ms }),
      ...(c.inputs ? { inputs: c.inputs.map((e, i) => ({ control: control(e.control, `controls.inputs.${i}.control`), ...(e.metadata ? { metadata: e.metadata } : {}) })) } : {}),
      ...(c.operations
        ? {
            operations: c.operations.map((e, i) => ({
              control: control(e.control, `controls.operations.${i}.control`),
              ...(e.when ? { when: e.when } : {}),
              ...(e.metadata ? { metadata: e.metadata } : {}),
            })),
          }
        : {}),
      ...(c.outputs ? { outputs: c.outputs.map((e, i) => ({ control: control(e.control, `controls.outputs.${i}.control`), ...(e.metadata ? { metadata: e.metadata } : {}) })) } : {}),
      ...(c.metadata ? { metadata: c.metadata } : {}),
    };
  }

  const runtimeDefaults = agent.runtime_defaults ?? doc.runtime_defaults;
  if (runtimeDefaults) input.runtimeDefaults = runtimeDefaults;
  if (doc.metadata || agent.metadata) input.metadata = { ...(doc.metadata ?? {}), ...(agent.metadata ?? {}) };
  return input;
}
