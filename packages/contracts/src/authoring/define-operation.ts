import { z } from 'zod';
import type { RuntimeClass } from '../records/common';
import type { HandlerContext } from '../runtime/runtime';
import { PolicyContractSchema, type PolicyContractInput } from './policy-contract';
import { isPlaceholderSchema, isZodSchema } from './schema-checks';
import { capabilityIdPattern, definitionError } from './definition-error';

export type SchemaMode = 'defined' | 'dynamic' | 'passthrough';

export type OperationSurface =
  | { mode: 'common'; normalizedId: string; actionName: string }
  | { mode: 'connector_local'; reason: string };

export interface RuntimeRouting {
  driver: string;
  provider?: string;
  options?: Record<string, unknown>;
}

export interface RuntimeFamily {
  sessionAffinity: 'none' | 'connection' | 'target';
  resumable: boolean;
  approvalRequired: boolean;
  streamCapable: boolean;
  runtimeRef: 'session' | 'run';
}

export type DirectHandler<I, O> = (input: I, ctx: HandlerContext) => Promise<O>;

export interface OperationConfig<I extends z.ZodType, O extends z.ZodType> {
  id: string;
  name?: string;
  displayName?: string;
  description: string;
  runtimeClass?: RuntimeClass;
  input: I;
  output: O;
  scopes?: string[];
  /** Required for direct operations; session and stream operations route through `runtime`. */
  handler?: DirectHandler<z.output<I>, z.input<O>>;
  runtime?: RuntimeRouting;
  runtimeFamily?: RuntimeFamily;
  policy?: PolicyContractInput;
  consumerSurface: OperationSurface;
  schemaPolicy?: { input?: SchemaMode; output?: SchemaMode; justification?: string };
  /** Upper bound on one attempt; the handler's AbortSignal fires after it. */
  timeoutMs?: number;
  transport?: string;
  metadata?: Record<string, unknown>;
}

export interface OperationDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  kind: 'operation';
  id: string;
  name: string;
  displayName: string;
  description: string;
  runtimeClass: RuntimeClass;
  input: I;
  output: O;
  scopes: string[];
  handler: DirectHandler<z.output<I>, z.input<O>> | null;
  runtime: RuntimeRouting | null;
  runtimeFamily: RuntimeFamily | null;
  policy: PolicyContractInput;
  consumerSurface: OperationSurface;
  schemaPolicy: { input: SchemaMode; output: SchemaMode; justification: string | null };
  timeoutMs: number;
  transport: string;
  metadata: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function checkSurfaceAndSchemas(
  subject: string,
  surface: { mode: string; reason?: string; normalizedId?: string },
  names: string[],
  schemas: Array<[label: string, schema: unknown, mode: SchemaMode]>,
  justification: string | undefined,
): string[] {
  const problems: string[] = [];
  if (surface.mode === 'common') {
    if (!surface.normalizedId) problems.push('common consumer surface needs normalizedId');
    for (const name of names) if (!(surface as Record<string, unknown>)[name]) problems.push(`common consumer surface needs ${name}`);
    if ('reason' in surface && surface.reason !== undefined) problems.push('common consumer surface may not declare a reason');
  } else if (surface.mode === 'connector_local') {
    if (!surface.reason) problems.push('connector_local consumer surface needs a reason');
  } else {
    problems.push(`unknown consumer surface mode "${surface.mode}"`);
  }
  const passthrough = schemas.some(([, , mode]) => mode === 'passthrough');
  for (const [label, schema, mode] of schemas) {
    if (!isZodSchema(schema)) {
      problems.push(`${label} must be a zod schema`);
      continue;
    }
    if (mode === 'passthrough' && surface.mode === 'common') problems.push(`${label}: passthrough schemas are not allowed on common surfaces`);
    if (mode !== 'passthrough' && isPlaceholderSchema(schema)) {
      problems.push(`${label} is a placeholder schema; declare schemaPolicy ${label}: 'passthrough' with a justification`);
    }
  }
  if (passthrough && !justification) problems.push('a passthrough schema policy needs a justification');
  if (!passthrough && justification) problems.push('a justification is only allowed with a passthrough schema policy');
  void subject;
  return problems;
}

export function defineOperation<I extends z.ZodType, O extends z.ZodType>(config: OperationConfig<I, O>): OperationDefinition<I, O> {
  const subject = `operation ${config?.id ?? '<missing id>'}`;
  const problems: string[] = [];
  if (typeof config?.id !== 'string' || !capabilityIdPattern.test(config.id)) {
    problems.push('id must be dotted lower-case segments, e.g. "github.issue.create"');
  }
  if (typeof config?.description !== 'string') problems.push('description is required');
  const runtimeClass = config?.runtimeClass ?? 'direct';
  if (!['direct', 'session', 'stream'].includes(runtimeClass)) problems.push(`unknown runtimeClass "${runtimeClass}"`);
  if (runtimeClass === 'direct') {
    if (typeof config?.handler !== 'function') problems.push('direct operations need a handler');
    if (config?.runtime) problems.push('direct operations may not declare runtime routing');
  } else {
    if (!config?.runtime || typeof config.runtime.driver !== 'string' || config.runtime.driver.length === 0) {
      problems.push(`${runtimeClass} operations must name a runtime.driver`);
    }
    if (config?.consumerSurface?.mode === 'common' && !config.runtimeFamily) {
      problems.push(`common ${runtimeClass} operations need a runtimeFamily`);
    }
  }
  const schemaPolicy = {
    input: config?.schemaPolicy?.input ?? 'defined',
    output: config?.schemaPolicy?.output ?? 'defined',
    justification: config?.schemaPolicy?.justification ?? null,
  } as const;
  if (config?.consumerSurface) {
    problems.push(
      ...checkSurfaceAndSchemas(
        subject,
        config.consumerSurface,
        ['actionName'],
        [
          ['input', config.input, schemaPolicy.input],
          ['output', config.output, schemaPolicy.output],
        ],
        schemaPolicy.justification ?? undefined,
      ),
    );
  } else {
    problems.push('consumerSurface is required');
  }
  const policy = PolicyContractSchema.safeParse(config?.policy ?? {});
  if (!policy.success) problems.push(`policy: ${z.prettifyError(policy.error)}`);
  const timeoutMs = config?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) problems.push('timeoutMs must be a positive integer');
  if (problems.length > 0) throw definitionError(subject, problems);

  return {
    kind: 'operation',
    id: config.id,
    name: config.name ?? config.id,
    displayName: config.displayName ?? config.name ?? config.id,
    description: config.description,
    runtimeClass,
    input: config.input,
    output: config.output,
    scopes: [...new Set(config.scopes ?? [])].sort(),
    handler: config.handler ?? null,
    runtime: config.runtime ? { driver: config.runtime.driver, ...(config.runtime.provider ? { provider: config.runtime.provider } : {}), options: config.runtime.options ?? {} } : null,
    runtimeFamily: config.runtimeFamily ?? null,
    policy: config.policy ?? {},
    consumerSurface: config.consumerSurface,
    schemaPolicy,
    timeoutMs,
    transport: config.transport ?? (runtimeClass === 'direct' ? 'sdk' : runtimeClass),
    metadata: config.metadata ?? {},
  };
}
