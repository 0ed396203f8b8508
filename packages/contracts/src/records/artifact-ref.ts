import { z } from 'zod';
import { IsoTimestampSchema, JsonObjectSchema, NonEmptyString } from './common';
import { ChecksumSchema, PayloadRefSchema } from './payload-ref';
import { parseAttemptId } from '../ids';

export const ArtifactTypeSchema = z.enum(['event_log', 'stdout', 'stderr', 'diff', 'tarball', 'tool_output', 'log', 'custom']);
export type ArtifactType = z.infer<typeof ArtifactTypeSchema>;

/** A reference to artifact bytes (checksum, size, where they live); never an inline blob. */
export const ArtifactRefSchema = z
  .object({
    artifactId: NonEmptyString,
    runId: NonEmptyString,
    attemptId: NonEmptyString,
    artifactType: ArtifactTypeSchema,
    transportMode: z.enum(['inline', 'chunked', 'object_store']).default('object_store'),
    checksum: ChecksumSchema,
    sizeBytes: z.number().int().nonnegative(),
    payloadRef: PayloadRefSchema,
    retentionClass: NonEmptyString.default('connector_review'),
    redactionStatus: z.enum(['clear', 'redacted', 'withheld']).default('clear'),
    metadata: JsonObjectSchema.default({}),
    createdAt: IsoTimestampSchema,
  })
  .superRefine((a, ctx) => {
    if (a.checksum !== a.payloadRef.checksum) {
      ctx.addIssue({ code: 'custom', path: ['checksum'], message: 'checksum must equal payloadRef.checksum' });
    }
    if (a.sizeBytes !== a.payloadRef.sizeBytes) {
      ctx.addIssue({ code: 'custom', path: ['sizeBytes'], message: 'sizeBytes must equal payloadRef.sizeBytes' });
    }
    const parsed = parseAttemptId(a.attemptId);
    if (!parsed || parsed.runId !== a.runId) {
      ctx.addIssue({ code: 'custom', path: ['attemptId'], message: 'attemptId must be `${runId}:${n}`' });
    }
  });
export type ArtifactRef = z.infer<typeof ArtifactRefSchema>;
