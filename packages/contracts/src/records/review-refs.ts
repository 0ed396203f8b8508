import { z } from 'zod';
import { JsonObjectSchema, NonEmptyString } from './common';

export const URI_SCHEME = 'integration://v1';

export function referenceUri(namespace: string, kind: string, id: string): string {
  return `${URI_SCHEME}/${namespace}/${kind}/${encodeURIComponent(id)}`;
}

export function reviewPacketRef(runId: string, attemptId?: string | null): string {
  const base = referenceUri('review_packet', 'run', runId);
  return attemptId ? `${base}?attempt_id=${encodeURIComponent(attemptId)}` : base;
}

export const SubjectKindSchema = z.enum(['run', 'attempt', 'event', 'artifact', 'trigger', 'capability', 'target', 'connection', 'install']);
export const EvidenceKindSchema = z.enum(['run', 'attempt', 'event', 'artifact', 'trigger', 'target', 'connection', 'install']);
export const GovernanceKindSchema = z.enum(['approval', 'denial', 'override', 'rollback', 'policy_decision']);

function withDerivedRef<T extends z.ZodType<{ kind: string; id: string; ref?: string | undefined }>>(schema: T, namespace: string) {
  return schema
    .refine((v) => v.ref === undefined || v.ref === referenceUri(namespace, v.kind, v.id), {
      message: `ref must equal ${URI_SCHEME}/${namespace}/<kind>/<id>`,
      path: ['ref'],
    })
    .transform((v) => ({ ...v, ref: referenceUri(namespace, v.kind, v.id) }));
}

export const SubjectRefSchema = withDerivedRef(
  z.object({ ref: z.string().optional(), kind: SubjectKindSchema, id: NonEmptyString, metadata: JsonObjectSchema.default({}) }),
  'subject',
);
export type SubjectRef = z.output<typeof SubjectRefSchema>;

export const EvidenceRefSchema = withDerivedRef(
  z.object({
    ref: z.string().optional(),
    kind: EvidenceKindSchema,
    id: NonEmptyString,
    packetRef: NonEmptyString,
    subject: SubjectRefSchema,
    metadata: JsonObjectSchema.default({}),
  }),
  'evidence',
);
export type EvidenceRef = z.output<typeof EvidenceRefSchema>;

export const GovernanceRefSchema = withDerivedRef(
  z.object({
    ref: z.string().optional(),
    kind: GovernanceKindSchema,
    id: NonEmptyString,
    subject: SubjectRefSchema,
    evidence: z.array(EvidenceRefSchema).default([]),
    metadata: JsonObjectSchema.default({}),
  }),
  'governance',
);
export type GovernanceRef = z.output<typeof GovernanceRefSchema>;

export const ReviewProjectionSchema = z.object({
  schemaVersion: z.literal('1.0').default('1.0'),
  projection: NonEmptyString,
  packetRef: NonEmptyString,
  subject: SubjectRefSchema,
  selectedAttempt: SubjectRefSchema.nullable()
    .default(null)
    .refine((s) => s === null || s.kind === 'attempt', 'selectedAttempt must be an attempt subject'),
  evidenceRefs: z.array(EvidenceRefSchema).default([]),
  governanceRefs: z.array(GovernanceRefSchema).default([]),
});
export type ReviewProjection = z.output<typeof ReviewProjectionSchema>;

/** What higher-order systems persist about a subject: derived state, never a second ledger. */
export const DerivedStateAttachmentSchema = z.object({
  subject: SubjectRefSchema,
  evidenceRefs: z.array(EvidenceRefSchema).default([]),
  governanceRefs: z.array(GovernanceRefSchema).default([]),
  metadata: JsonObjectSchema.default({}),
});
export type DerivedStateAttachment = z.output<typeof DerivedStateAttachmentSchema>;

export function subjectRef(kind: z.infer<typeof SubjectKindSchema>, id: string, metadata: Record<string, unknown> = {}): SubjectRef {
  return SubjectRefSchema.parse({ kind, id, metadata });
}
