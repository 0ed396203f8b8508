import { z } from 'zod';
import { attemptIdFor, ExecutionPolicySchema, LeaseSchema, NonEmptyString, parseAt, type RuntimeContext } from '@integration/contracts';

const hasMethods =
  (...names: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/** What the direct runtime checks about the host-provided context before running anything. */
const RuntimeContextSchema = z
  .looseObject({
    runId: NonEmptyString,
    attempt: z.number().int().positive(),
    attemptId: NonEmptyString,
    lease: LeaseSchema,
    tenantId: z.string().nullish(),
    actorId: z.string().nullish(),
    traceId: z.string().nullish(),
    idempotencyKey: z.string().nullish(),
    executionPolicy: ExecutionPolicySchema,
    signal: z.instanceof(AbortSignal),
    timeoutMs: z.number().positive(),
    logger: z.custom((value) => hasMethods('debug', 'info', 'warn', 'error', 'child')(value), 'logger must implement debug/info/warn/error/child'),
    clock: z.custom((value) => hasMethods('now')(value), 'clock must have now()'),
    extensions: z.record(z.string(), z.unknown()).nullish(),
  })
  .refine((ctx) => ctx.attemptId === attemptIdFor(ctx.runId, ctx.attempt), {
    message: 'attemptId must equal `${runId}:${attempt}`',
    path: ['attemptId'],
  });

const CapabilitySchema = z.looseObject({
  id: NonEmptyString,
  connectorId: NonEmptyString,
  runtimeClass: z.string(),
});

/**
 * Throws ValidationError `invalid_argument` when the host hands over a malformed capability or
 * context (a host bug, not a handler failure). Returns nothing: the original objects are used as-is.
 */
export function checkExecuteArguments(capability: unknown, context: unknown): asserts context is RuntimeContext {
  parseAt(CapabilitySchema, capability, 'direct runtime capability');
  parseAt(RuntimeContextSchema, context, 'direct runtime context');
}
