import { z } from 'zod';

export const RuntimeClassSchema = z.enum(['direct', 'session', 'stream']);
export type RuntimeClass = z.infer<typeof RuntimeClassSchema>;

export const SandboxLevelSchema = z.enum(['strict', 'standard', 'none']);
export const EgressSchema = z.enum(['blocked', 'restricted', 'open']);
export const ApprovalsSchema = z.enum(['none', 'auto', 'manual']);

export const SandboxSchema = z.strictObject({
  level: SandboxLevelSchema.default('standard'),
  egress: EgressSchema.default('restricted'),
  approvals: ApprovalsSchema.default('auto'),
  fileScope: z.string().min(1).nullable().default(null),
  allowedTools: z.array(z.string().min(1)).default([]),
});
export type Sandbox = z.infer<typeof SandboxSchema>;
/**
 * A partial sandbox as requested by a caller: no defaults, so an omitted field stays omitted and
 * the policy merge keeps the contract's value for it (a defaulted partial would silently override
 * a stricter contract).
 */
export const SandboxInputSchema = z.strictObject({
  level: SandboxLevelSchema.optional(),
  egress: EgressSchema.optional(),
  approvals: ApprovalsSchema.optional(),
  fileScope: z.string().min(1).nullable().optional(),
  allowedTools: z.array(z.string().min(1)).optional(),
});
export type SandboxInput = z.input<typeof SandboxSchema>;

export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

export const IsoTimestampSchema = z.iso.datetime({ offset: true });
export const NonEmptyString = z.string().min(1);

export const ErrorSummarySchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  retryable: z.boolean().default(false),
  retryAfterMs: z.number().int().nonnegative().optional(),
  details: JsonObjectSchema.default({}),
});
export type ErrorSummary = z.infer<typeof ErrorSummarySchema>;

export const TraceSchema = z.object({
  traceId: z.string().nullable().default(null),
  spanId: z.string().nullable().default(null),
  correlationId: z.string().nullable().default(null),
  causationId: z.string().nullable().default(null),
});
export type Trace = z.infer<typeof TraceSchema>;

export const emptyTrace = (): Trace => ({ traceId: null, spanId: null, correlationId: null, causationId: null });

const UNTRACED: Trace = Object.freeze(emptyTrace());

/** A frozen trace carrying only a trace id; the untraced one is a shared constant. */
export const traceOf = (traceId: string | null): Trace =>
  traceId === null ? UNTRACED : Object.freeze({ traceId, spanId: null, correlationId: null, causationId: null });
