import { z } from 'zod';

/** The only boundary descriptor version this bridge understands (fail closed on anything else). */
export const SUPPORTED_DESCRIPTOR_VERSIONS = [1] as const;

/** Evidence of the authored sandbox intent, projected lossily (unknown keys are dropped). */
export const PolicyIntentSchema = z.object({
  sandboxLevel: z.enum(['strict', 'standard', 'none']).default('standard'),
  egress: z.enum(['blocked', 'restricted', 'open']).default('restricted'),
  approvals: z.enum(['none', 'manual', 'auto']).default('auto'),
  allowedTools: z.array(z.string()).default([]),
  fileScope: z.string().nullable().default(null),
});
export type PolicyIntent = z.infer<typeof PolicyIntentSchema>;

export const BoundaryRefsSchema = z.object({
  targetId: z.string().nullable().default(null),
  leaseRef: z.string().nullable().default(null),
  surfaceRef: z.string().nullable().default(null),
  runtimeRef: z.string().nullable().default(null),
  correlationId: z.string().min(1),
  requestId: z.string().min(1),
});
export type BoundaryRefs = z.infer<typeof BoundaryRefsSchema>;

const TracingExtensionSchema = z.strictObject({
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
  tracestate: z.string().optional(),
});
export const TRACING_EXTENSION = 'jido.boundary_bridge.tracing';

/** Extensions are namespaced; the tracing namespace is validated, unknown ones pass through. */
export const ExtensionsSchema = z.record(z.string(), z.unknown()).superRefine((extensions, ctx) => {
  const tracing = extensions[TRACING_EXTENSION];
  if (tracing !== undefined && !TracingExtensionSchema.safeParse(tracing).success) {
    ctx.addIssue({ code: 'custom', path: [TRACING_EXTENSION], message: 'invalid tracing extension' });
  }
});

export const AttachRequestSchema = z.object({
  mode: z.enum(['attachable', 'not_applicable']).default('attachable'),
  workingDirectory: z.string().optional(),
});

export const AllocateBoundaryRequestSchema = z.object({
  /** Deterministic: retrying an allocation with the same id returns the same boundary session. */
  boundarySessionId: z.string().min(1),
  backendKind: z.string().min(1),
  boundaryClass: z.string().optional(),
  attach: AttachRequestSchema.default({ mode: 'attachable' }),
  policyIntent: PolicyIntentSchema.default(PolicyIntentSchema.parse({})),
  refs: BoundaryRefsSchema,
  /** Hint for reaping orphans at startup. */
  allocationTtlMs: z.number().int().positive().default(3_600_000),
  readinessTimeoutMs: z.number().int().positive().default(5_000),
  extensions: ExtensionsSchema.default({}),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type AllocateBoundaryRequest = z.infer<typeof AllocateBoundaryRequestSchema>;
export type AllocateBoundaryRequestInput = z.input<typeof AllocateBoundaryRequestSchema>;

export const ReopenBoundaryRequestSchema = AllocateBoundaryRequestSchema.omit({ allocationTtlMs: true }).extend({
  checkpointId: z.string().min(1).optional(),
});
export type ReopenBoundaryRequest = z.infer<typeof ReopenBoundaryRequestSchema>;
export type ReopenBoundaryRequestInput = z.input<typeof ReopenBoundaryRequestSchema>;

export const ExecutionSurfaceSchema = z.object({
  surfaceKind: z.string().min(1),
  /** The scrubbed environment processes in this boundary start with. */
  environment: z.record(z.string(), z.string()).default({}),
  transportOptions: z.record(z.string(), z.unknown()).default({}),
});
export type ExecutionSurface = z.infer<typeof ExecutionSurfaceSchema>;

export const BoundaryStatusSchema = z.enum(['starting', 'ready', 'running', 'needs_input', 'stopping', 'failed']);
export type BoundaryStatus = z.infer<typeof BoundaryStatusSchema>;

export const BoundarySessionDescriptorSchema = z
  .object({
    descriptorVersion: z.literal(1, 'descriptor_version must be 1'),
    boundarySessionId: z.string().min(1),
    backendKind: z.string().min(1),
    boundaryClass: z.string().nullable().default(null),
    status: BoundaryStatusSchema,
    attachReady: z.boolean().default(false),
    workspace: z
      .object({
        workspaceRoot: z.string().nullable().default(null),
        snapshotRef: z.string().nullable().default(null),
        artifactNamespace: z.string().nullable().default(null),
      })
      .default({ workspaceRoot: null, snapshotRef: null, artifactNamespace: null }),
    attach: z.object({
      mode: z.enum(['attachable', 'not_applicable']),
      executionSurface: ExecutionSurfaceSchema.nullable().default(null),
      workingDirectory: z.string().nullable().default(null),
    }),
    checkpointing: z
      .object({ supported: z.boolean().default(false), lastCheckpointId: z.string().nullable().default(null) })
      .default({ supported: false, lastCheckpointId: null }),
    policyIntentEcho: PolicyIntentSchema.default(PolicyIntentSchema.parse({})),
    refs: BoundaryRefsSchema,
    runtimeOwner: z.string().nullable().default(null),
    extensions: ExtensionsSchema.default({}),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((d, ctx) => {
    if (d.attach.mode === 'not_applicable') {
      if (d.attach.executionSurface) ctx.addIssue({ code: 'custom', path: ['attach', 'executionSurface'], message: 'not_applicable attach has no execution surface' });
      if (d.attachReady) ctx.addIssue({ code: 'custom', path: ['attachReady'], message: 'not_applicable attach is never attach-ready' });
    }
    if (d.attach.mode === 'attachable' && d.attachReady && !d.attach.executionSurface) {
      ctx.addIssue({ code: 'custom', path: ['attach', 'executionSurface'], message: 'an attach-ready descriptor needs an execution surface' });
    }
  });
export type BoundarySessionDescriptor = z.infer<typeof BoundarySessionDescriptorSchema>;
export type BoundarySessionDescriptorInput = z.input<typeof BoundarySessionDescriptorSchema>;

/** What a session may attach to once the boundary is ready. */
export interface AttachMetadata {
  boundarySessionId: string;
  executionSurface: ExecutionSurface;
  workingDirectory: string | null;
  refs: BoundaryRefs;
}
