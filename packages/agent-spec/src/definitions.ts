import { z } from 'zod';
import { jsonSchemaOf } from '@integration/contracts';
import { IdempotencySchema, operationNamePattern, type Idempotency } from './document-schema';
import { invalidDocument } from './errors';
import type { ControlContext, ControlDecisionInput } from './control-types';

/** What an action's `run` receives besides its validated arguments. */
export interface ActionContext {
  agentId: string;
  operation: string;
  signal: AbortSignal;
  /** Free-form values the caller passed to `chat` as `operationContext`. */
  context: Record<string, unknown>;
}

/** An executable tool: the TypeScript counterpart of a registry entry in `actions`. */
export interface ActionDefinition<I extends z.ZodType = z.ZodType> {
  readonly kind: 'action';
  readonly name: string;
  readonly description: string | null;
  readonly input: I;
  /** JSON Schema of `input`, shown to the model. */
  readonly parametersSchema: Record<string, unknown>;
  readonly idempotency: Idempotency;
  readonly metadata: Record<string, unknown>;
  run(args: z.output<I>, context: ActionContext): unknown;
}

export interface ActionConfig<I extends z.ZodType> {
  name: string;
  description?: string;
  input: I;
  idempotency?: Idempotency;
  metadata?: Record<string, unknown>;
  run(args: z.output<I>, context: ActionContext): unknown;
}

export function defineAction<I extends z.ZodType>(config: ActionConfig<I>): ActionDefinition<I> {
  const problems: string[] = [];
  if (typeof config?.name !== 'string' || !operationNamePattern.test(config.name)) problems.push('name must be a valid operation name');
  if (!(config?.input instanceof z.ZodType)) problems.push('input must be a zod schema');
  if (typeof config?.run !== 'function') problems.push('run must be a function');
  if (config?.idempotency !== undefined && !IdempotencySchema.safeParse(config.idempotency).success) problems.push('unknown idempotency');
  if (problems.length > 0) throw invalidDocument(`invalid action: ${problems.join('; ')}`, { kind: 'invalid_action', problems });
  return Object.freeze({
    kind: 'action' as const,
    name: config.name,
    description: config.description ?? null,
    input: config.input,
    parametersSchema: jsonSchemaOf(config.input),
    idempotency: config.idempotency ?? 'idempotent',
    metadata: { ...(config.metadata ?? {}) },
    run: config.run,
  });
}

/** A control: a named gate that decides on inputs, operations or outputs. */
export interface ControlDefinition {
  readonly kind: 'control';
  readonly name: string;
  readonly description: string | null;
  call(context: ControlContext): ControlDecisionInput | Promise<ControlDecisionInput>;
}

export function defineControl(config: { name: string; description?: string; call: ControlDefinition['call'] }): ControlDefinition {
  if (typeof config?.name !== 'string' || config.name.length === 0 || typeof config.call !== 'function') {
    throw invalidDocument('invalid control: a control needs a non-empty name and a call function', { kind: 'invalid_control' });
  }
  return Object.freeze({ kind: 'control' as const, name: config.name, description: config.description ?? null, call: config.call });
}

/** A group of actions declared together (e.g. one connector's capabilities). */
export interface ResourceDefinition {
  readonly kind: 'resource';
  readonly name: string;
  readonly description: string | null;
  readonly actions: readonly ActionDefinition[];
}

export function defineResource(config: { name: string; description?: string; actions: ActionDefinition[] }): ResourceDefinition {
  if (typeof config?.name !== 'string' || config.name.length === 0 || !Array.isArray(config.actions) || !config.actions.every(isAction)) {
    throw invalidDocument('invalid resource: a resource needs a non-empty name and a list of actions', { kind: 'invalid_resource' });
  }
  return Object.freeze({ kind: 'resource' as const, name: config.name, description: config.description ?? null, actions: Object.freeze([...config.actions]) });
}

export function isAction(value: unknown): value is ActionDefinition {
  const v = value as Partial<ActionDefinition> | null;
  return typeof v === 'object' && v !== null && v.kind === 'action' && typeof v.name === 'string' && typeof v.run === 'function' && v.input instanceof z.ZodType;
}

export function isControl(value: unknown): value is ControlDefinition {
  const v = value as Partial<ControlDefinition> | null;
  return typeof v === 'object' && v !== null && v.kind === 'control' && typeof v.name === 'string' && v.name.length > 0 && typeof v.call === 'function';
}

export function isResource(value: unknown): value is ResourceDefinition {
  const v = value as Partial<ResourceDefinition> | null;
  return typeof v === 'object' && v !== null && v.kind === 'resource' && typeof v.name === 'string' && Array.isArray(v.actions) && v.actions.every(isAction);
}

export function isZodSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}
