import { z } from 'zod';
import { parseAt, type ArtifactPayloadStore } from '@integration/contracts';

export const DEFAULT_LIMITS = Object.freeze({
  /** Events one attempt may emit (the runtime's own two are not counted). */
  maxEvents: 10_000,
  /** Canonical-JSON size of one emitted event payload. */
  maxEventPayloadBytes: 256 * 1024,
});

export interface DirectRuntimeLimits {
  maxEvents: number;
  maxEventPayloadBytes: number;
}

export interface DirectRuntimeOptions {
  /** Where artifact bytes are written; without it only the reference (checksum, size, key) is kept. */
  artifactPayloads?: ArtifactPayloadStore;
  /** Bounds on what one attempt may emit; exceeding them is `payload_too_large` inside the handler. */
  limits?: Partial<DirectRuntimeLimits>;
}

const PayloadStoreSchema = z.custom<ArtifactPayloadStore>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ArtifactPayloadStore).name === 'string' &&
    (value as ArtifactPayloadStore).name.length > 0 &&
    typeof (value as ArtifactPayloadStore).put === 'function' &&
    typeof (value as ArtifactPayloadStore).get === 'function',
  'artifactPayloads must be an ArtifactPayloadStore { name, put, get }',
);

const OptionsSchema = z.strictObject({
  artifactPayloads: PayloadStoreSchema.optional(),
  limits: z
    .strictObject({
      maxEvents: z.number().int().positive().optional(),
      maxEventPayloadBytes: z.number().int().positive().optional(),
    })
    .optional(),
});

export interface ResolvedOptions {
  artifactPayloads: ArtifactPayloadStore | undefined;
  limits: DirectRuntimeLimits;
}

/** Validates the factory options (ValidationError `invalid_argument`) and fills the default limits. */
export function resolveOptions(options: DirectRuntimeOptions | undefined): ResolvedOptions {
  const parsed = parseAt(OptionsSchema, options ?? {}, 'direct runtime options');
  return {
    // The original object, not zod's copy: the store may be a class instance with private state.
    artifactPayloads: options?.artifactPayloads,
    limits: { ...DEFAULT_LIMITS, ...parsed.limits },
  };
}
