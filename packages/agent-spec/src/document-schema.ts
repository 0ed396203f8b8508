import { z } from 'zod';

/**
 * The agent document (version 1) in its canonical form, after `normalizeDocument` has applied the
 * shorthands. Objects are strict: unknown keys surface as `unrecognized_keys` issues, which the
 * importer turns into warnings (or errors with `strict: true`). Types are inferred from here.
 */
export const DOCUMENT_VERSION = 1;

export const idempotencies = ['pure', 'idempotent', 'dedupe', 'reconcile', 'unsafe_once'] as const;
export const IdempotencySchema = z.enum(idempotencies);
export type Idempotency = z.output<typeof IdempotencySchema>;

export const operationKinds = ['action', 'operation', 'tool', 'resource', 'browser', 'mcp'] as const;
export const OperationKindSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.enum(operationKinds),
);
export type OperationKind = (typeof operationKinds)[number];

/** Agent ids are lower_snake (both authoring paths). */
export const agentIdPattern = /^[a-z][a-z0-9_]*$/;
/** Operation names are safe as LLM tool names. */
export const operationNamePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const Text = z.string().min(1, 'must not be empty');
const Ref = z.string().min(1, 'must not be empty').max(256);
export const JsonRecord = z.record(z.string(), z.json());
const OperationName = z.string().regex(operationNamePattern, 'must start with a letter and use only letters, digits, "_" or "-" (at most 64)');

/** A positive integer, or a string of digits (as YAML authors often write numbers). */
const PositiveCount = z.preprocess(
  (value) => (typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : value),
  z.number().int().positive(),
);

export const ModelSchema = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const at = value.indexOf(':');
  return at > 0 && at < value.length - 1 ? { provider: value.slice(0, at), id: value.slice(at + 1) } : value;
}, z.strictObject({ provider: Text, id: Text }, { error: 'expected "provider:model" or { provider, id }' }));

const approvalFields = {
  required: z.boolean().optional(),
  mode: z.literal('pre_execution').optional(),
  reason: Text.optional(),
  message: z.string().optional(),
  ttl_ms: z.number().int().positive().optional(),
  metadata: JsonRecord.optional(),
};
const toBooleanApproval = (value: unknown): unknown => (value === true ? {} : value === false ? null : value);
/** `true` (default policy), `false`/`null` (none) or a policy map. */
export const ApprovalSchema = z.preprocess(toBooleanApproval, z.strictObject(approvalFields).nullable());
/** On a tool source entry the policy may be limited to some of the generated operations. */
export const EntryApprovalSchema = z.preprocess(
  toBooleanApproval,
  z.strictObject({ ...approvalFields, only: z.array(Text).optional(), except: z.array(Text).optional() }).nullable(),
);

const MemorySchema = z.strictObject({
  enabled: z.boolean().optional(),
  scope: z.enum(['agent', 'session']).optional(),
  namespace: Text.optional(),
  capture: z.enum(['manual', 'conversation', 'off']).optional(),
  inject: z.enum(['instructions', 'context']).optional(),
  max_entries: PositiveCount.optional(),
  metadata: JsonRecord.optional(),
});

const AgentSchema = z.strictObject({
  id: z.string().regex(agentIdPattern, 'must be lower_snake (letters, digits, "_"), starting with a letter'),
  model: ModelSchema.optional(),
  instructions: Text.optional(),
  generation: z
    .strictObject({ params: JsonRecord, provider_options: JsonRecord.optional(), extra: JsonRecord.optional() })
    .optional(),
  context: z.strictObject({ ref: Ref }).optional(),
  result: z
    .strictObject({ ref: Ref, max_repairs: z.number().int().nonnegative().optional(), metadata: JsonRecord.optional() })
    .optional(),
  memory: MemorySchema.optional(),
  runtime_defaults: JsonRecord.optional(),
  metadata: JsonRecord.optional(),
});

const ActionEntrySchema = z.strictObject({ ref: Ref, approval: EntryApprovalSchema.optional() });

const ResourceEntrySchema = z.strictObject({
  ref: Ref,
  actions: z.array(Text).optional(),
  description: z.string().optional(),
  idempotency: IdempotencySchema.optional(),
  approval: EntryApprovalSchema.optional(),
  metadata: JsonRecord.optional(),
});

const McpToolSchema = z.strictObject({
  name: Text,
  description: z.string().optional(),
  input_schema: JsonRecord.optional(),
});

const McpEntrySchema = z.strictObject({
  endpoint: Ref,
  prefix: z.string().optional(),
  tools: z.array(McpToolSchema).optional(),
  required: z.boolean().optional(),
  transport: JsonRecord.optional(),
  client_info: JsonRecord.optional(),
  protocol_version: z.string().optional(),
  capabilities: JsonRecord.optional(),
  timeouts: JsonRecord.optional(),
  description: z.string().optional(),
  idempotency: IdempotencySchema.optional(),
  approval: EntryApprovalSchema.optional(),
  metadata: JsonRecord.optional(),
});

export const browserNamePattern = /^[a-z][a-z0-9_]*$/;
export const BrowserModeSchema = z.enum(['search', 'read_only']);

const BrowserEntrySchema = z.strictObject({
  name: z.string().regex(browserNamePattern, 'must be lower_snake'),
  mode: BrowserModeSchema.optional(),
  allow: z.array(Text).optional(),
  description: z.string().optional(),
  idempotency: IdempotencySchema.optional(),
  approval: EntryApprovalSchema.optional(),
  metadata: JsonRecord.optional(),
});

/** Tool sources that have no meaning in this package; present only so the importer can name them. */
export const unsupportedToolSources = ['catalogs'] as const;

const ToolsSchema = z.strictObject({
  actions: z.array(ActionEntrySchema).optional(),
  resources: z.array(ResourceEntrySchema).optional(),
  mcp_tools: z.array(McpEntrySchema).optional(),
  browsers: z.array(BrowserEntrySchema).optional(),
  catalogs: z.array(z.unknown()).optional(),
});

const matchKeys = ['kind', 'name', 'source', 'idempotency', 'metadata'];
/**
 * A `when` match map. Unknown keys are always an error (never just a warning): ignoring one would
 * widen the match to every operation.
 */
export const MatchSchema = z
  .looseObject({
    kind: OperationKindSchema.optional(),
    name: Text.optional(),
    source: Text.optional(),
    idempotency: IdempotencySchema.optional(),
    metadata: JsonRecord.optional(),
  })
  .superRefine((value, ctx) => {
    const unknown = Object.keys(value).filter((key) => !matchKeys.includes(key));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown match keys ${unknown.map((k) => `"${k}"`).join(', ')}; a match may use ${matchKeys.join(', ')}`,
        params: { kind: 'unknown_match_keys', keys: unknown },
      });
    }
  })
  .transform((value) => {
    const { kind, name, source, idempotency, metadata } = value;
    return {
      ...(kind === undefined ? {} : { kind }),
      ...(name === undefined ? {} : { name }),
      ...(source === undefined ? {} : { source }),
      ...(idempotency === undefined ? {} : { idempotency }),
      ...(metadata === undefined ? {} : { metadata }),
    };
  });

const ControlEntrySchema = z.strictObject({ control: Ref, metadata: JsonRecord.optional() });
const OperationControlEntrySchema = z.strictObject({ control: Ref, when: MatchSchema.optional(), metadata: JsonRecord.optional() });

const ControlsSchema = z.strictObject({
  max_turns: PositiveCount.optional(),
  timeout_ms: PositiveCount.optional(),
  inputs: z.array(ControlEntrySchema).optional(),
  operations: z.array(OperationControlEntrySchema).optional(),
  outputs: z.array(ControlEntrySchema).optional(),
  metadata: JsonRecord.optional(),
});

const OperationSchema = z.strictObject({
  name: OperationName,
  description: z.string().optional(),
  idempotency: IdempotencySchema.optional(),
  approval: ApprovalSchema.optional(),
  metadata: JsonRecord.optional(),
  parameters_schema: JsonRecord.optional(),
});

export const AgentDocumentSchema = z.strictObject({
  version: z.literal(DOCUMENT_VERSION).optional(),
  agent: AgentSchema,
  tools: ToolsSchema.optional(),
  controls: ControlsSchema.optional(),
  operations: z.array(OperationSchema).optional(),
  runtime_defaults: JsonRecord.optional(),
  metadata: JsonRecord.optional(),
});

export type AgentDocument = z.output<typeof AgentDocumentSchema>;
export type AgentDocumentInput = z.input<typeof AgentDocumentSchema>;
export type DocumentMatch = z.output<typeof MatchSchema>;
export type DocumentApproval = z.output<typeof EntryApprovalSchema>;
