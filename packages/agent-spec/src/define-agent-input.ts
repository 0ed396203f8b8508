import { z } from 'zod';
import {
  BrowserModeSchema,
  IdempotencySchema,
  JsonRecord,
  MatchSchema,
  ModelSchema,
  agentIdPattern,
  browserNamePattern,
  operationNamePattern,
} from './document-schema';
import { isAction, isControl, isResource, isZodSchema, type ActionDefinition, type ControlDefinition, type ResourceDefinition } from './definitions';

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

export const BoundaryControlInput = z.union([Control, z.strictObject({ control: Control, metadata: JsonRecord.optional() })]);

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
export type AgentInput = z.output<typeof DefineAgentInputSchema>;
export type ApprovalInput = z.output<typeof EntryApprovalInputSchema>;

