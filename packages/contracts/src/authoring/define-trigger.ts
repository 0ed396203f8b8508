import { z } from 'zod';
import type { RuntimeClass } from '../records/common';
import type { VerificationScheme } from '../records/webhook-route';
import type { HandlerContext } from '../runtime/runtime';
import { PolicyContractSchema, type PolicyContractInput } from './policy-contract';
import { checkSurfaceAndSchemas, DEFAULT_TIMEOUT_MS, type DirectHandler, type SchemaMode } from './define-operation';
import { capabilityIdPattern, definitionError } from './definition-error';

export type TriggerSurface =
  | { mode: 'common'; normalizedId: string; sensorName: string }
  | { mode: 'connector_local'; reason: string };

export interface TriggerVerification {
  scheme: VerificationScheme;
  /** The auth secret name holding the signing secret (must be in the connector's secretNames). */
  secretName: string;
  header?: string;
  toleranceSeconds?: number;
}

export interface PollingSpec {
  defaultIntervalMs: number;
  minIntervalMs?: number;
  jitter?: boolean;
}

export interface PollInput<C> {
  config: C;
  /** The checkpoint cursor of the last poll, null on the first. */
  cursor: string | null;
}

export interface PollResult<S> {
  signals: S[];
  /** One per signal, in the same order. */
  dedupeKeys: string[];
  checkpoint: { cursor: string; lastEventTime?: string | null; lastEventId?: string | null };
}

export type PollHandler<C, S> = (input: PollInput<C>, ctx: HandlerContext) => Promise<PollResult<S>>;

export interface TriggerConfig<C extends z.ZodType, S extends z.ZodType> {
  id: string;
  name?: string;
  displayName?: string;
  description: string;
  deliveryMode: 'webhook' | 'poll';
  runtimeClass?: RuntimeClass;
  config: C;
  signal: S;
  /** CloudEvents `type` and `source` of the admitted signal. */
  signalType: string;
  signalSource: string;
  scopes?: string[];
  verification?: TriggerVerification;
  /** Header carrying the provider's delivery id, used as the dedupe key (e.g. `x-github-delivery`). */
  deliveryIdHeader?: string;
  polling?: PollingSpec;
  /** Poll triggers: fetch new signals after the checkpoint cursor. */
  poll?: PollHandler<z.output<C>, z.input<S>>;
  /** Optional: what executing an admitted signal's run does. */
  handler?: DirectHandler<z.output<S>, unknown>;
  checkpoint?: { strategy: string; field?: string; partitionKey?: string };
  dedupe?: { strategy: string; description?: string };
  consumerSurface: TriggerSurface;
  schemaPolicy?: { config?: SchemaMode; signal?: SchemaMode; justification?: string };
  secretRequirements?: string[];
  policy?: PolicyContractInput;
  timeoutMs?: number;
  metadata?: Record<string, unknown>;
}

export interface TriggerDefinition<C extends z.ZodType = z.ZodType, S extends z.ZodType = z.ZodType> {
  kind: 'trigger';
  id: string;
  name: string;
  displayName: string;
  description: string;
  deliveryMode: 'webhook' | 'poll';
  runtimeClass: RuntimeClass;
  config: C;
  signal: S;
  signalType: string;
  signalSource: string;
  scopes: string[];
  verification: TriggerVerification | null;
  deliveryIdHeader: string | null;
  polling: PollingSpec | null;
  poll: PollHandler<z.output<C>, z.input<S>> | null;
  handler: DirectHandler<z.output<S>, unknown> | null;
  checkpoint: { strategy: string; field?: string; partitionKey?: string } | null;
  dedupe: { strategy: string; description?: string } | null;
  consumerSurface: TriggerSurface;
  schemaPolicy: { config: SchemaMode; signal: SchemaMode; justification: string | null };
  secretRequirements: string[];
  policy: PolicyContractInput;
  timeoutMs: number;
  metadata: Record<string, unknown>;
}

export function defineTrigger<C extends z.ZodType, S extends z.ZodType>(config: TriggerConfig<C, S>): TriggerDefinition<C, S> {
  const subject = `trigger ${config?.id ?? '<missing id>'}`;
  const problems: string[] = [];
  if (typeof config?.id !== 'string' || !capabilityIdPattern.test(config.id)) {
    problems.push('id must be dotted lower-case segments, e.g. "github.issue.opened"');
  }
  if (typeof config?.description !== 'string') problems.push('description is required');
  if (config?.deliveryMode !== 'webhook' && config?.deliveryMode !== 'poll') problems.push('deliveryMode must be webhook or poll');
  if (!config?.signalType) problems.push('signalType is required');
  if (!config?.signalSource) problems.push('signalSource is required');
  if (config?.deliveryMode === 'poll') {
    const polling = config.polling;
    if (!polling) problems.push('poll triggers need polling');
    else {
      if (!(polling.defaultIntervalMs > 0)) problems.push('polling.defaultIntervalMs must be positive');
      if (polling.minIntervalMs !== undefined && !(polling.minIntervalMs > 0)) problems.push('polling.minIntervalMs must be positive');
      if (polling.minIntervalMs !== undefined && polling.minIntervalMs > polling.defaultIntervalMs) {
        problems.push('polling.minIntervalMs must not exceed defaultIntervalMs');
      }
    }
    if (typeof config.poll !== 'function') problems.push('poll triggers need a poll function');
  }
  if (config?.deliveryMode === 'webhook') {
    if (config.polling) problems.push('webhook triggers may not declare polling');
    if (config.poll) problems.push('webhook triggers may not declare a poll function');
  }
  if (config?.verification && !config.verification.secretName) problems.push('verification needs a secretName');
  const schemaPolicy = {
    config: config?.schemaPolicy?.config ?? 'defined',
    signal: config?.schemaPolicy?.signal ?? 'defined',
    justification: config?.schemaPolicy?.justification ?? null,
  } as const;
  if (config?.consumerSurface) {
    problems.push(
      ...checkSurfaceAndSchemas(
        subject,
        config.consumerSurface,
        ['sensorName'],
        [
          ['config', config.config, schemaPolicy.config],
          ['signal', config.signal, schemaPolicy.signal],
        ],
        schemaPolicy.justification ?? undefined,
      ),
    );
  } else {
    problems.push('consumerSurface is required');
  }
  const policy = PolicyContractSchema.safeParse(config?.policy ?? {});
  if (!policy.success) problems.push(`policy: ${z.prettifyError(policy.error)}`);
  if (problems.length > 0) throw definitionError(subject, problems);

  return {
    kind: 'trigger',
    id: config.id,
    name: config.name ?? config.id,
    displayName: config.displayName ?? config.name ?? config.id,
    description: config.description,
    deliveryMode: config.deliveryMode,
    runtimeClass: config.runtimeClass ?? 'direct',
    config: config.config,
    signal: config.signal,
    signalType: config.signalType,
    signalSource: config.signalSource,
    scopes: [...new Set(config.scopes ?? [])].sort(),
    verification: config.verification ?? null,
    deliveryIdHeader: config.deliveryIdHeader?.toLowerCase() ?? null,
    polling: config.polling ?? null,
    poll: config.poll ?? null,
    handler: config.handler ?? null,
    checkpoint: config.checkpoint ?? null,
    dedupe: config.dedupe ?? null,
    consumerSurface: config.consumerSurface,
    schemaPolicy,
    secretRequirements: [...new Set(config.secretRequirements ?? [])].sort(),
    policy: config.policy ?? {},
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    metadata: config.metadata ?? {},
  };
}
