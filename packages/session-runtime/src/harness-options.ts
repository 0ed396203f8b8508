import { z } from 'zod';
import { parseAt, type ArtifactPayloadStore, type Clock, type RuntimeClass } from '@integration/contracts';
import type { BoundaryAdapter } from './boundary/adapter';
import type { Driver } from './driver';
import type { SessionCacheOptions } from './session-cache';

export interface BoundaryOptions {
  adapter?: BoundaryAdapter;
  readinessTimeoutMs?: number;
  pollIntervalMs?: number;
}

export interface HarnessOptions {
  /** Drivers by id. The runtime's defaults are merged under these. */
  drivers?: Record<string, Driver>;
  cache?: SessionCacheOptions;
  clock?: Clock;
  /** Boundary for drivers that need a workspace (default: a local adapter); `false` disables it. */
  boundary?: BoundaryOptions | false;
  artifactPayloads?: ArtifactPayloadStore;
}

const isDriver = (value: unknown): value is Driver =>
  !!value &&
  typeof value === 'object' &&
  typeof (value as Driver).id === 'string' &&
  (['start', 'run', 'stream', 'cancel', 'status', 'stop'] as const).every((m) => typeof (value as Driver)[m] === 'function');

const positiveInt = z.number().int().positive();
const HarnessOptionsSchema = z.looseObject({
  drivers: z.record(z.string(), z.custom<Driver>(isDriver, 'a driver needs id, start, run, stream, cancel, status and stop')).optional(),
  cache: z.strictObject({ ttlMs: positiveInt.optional(), maxSessions: positiveInt.optional() }).optional(),
  clock: z.custom<Clock>((v) => !!v && typeof (v as Clock).now === 'function', 'clock needs now()').optional(),
  boundary: z
    .union([
      z.literal(false),
      z.strictObject({
        adapter: z.custom<BoundaryAdapter>((v) => !!v && typeof v === 'object' && typeof (v as BoundaryAdapter).allocate === 'function', 'invalid boundary adapter').optional(),
        readinessTimeoutMs: positiveInt.optional(),
        pollIntervalMs: positiveInt.optional(),
      }),
    ])
    .optional(),
  artifactPayloads: z
    .custom<ArtifactPayloadStore>((v) => !!v && typeof (v as ArtifactPayloadStore).put === 'function' && typeof (v as ArtifactPayloadStore).name === 'string', 'invalid artifact payload store')
    .optional(),
});

/** The options of `create{Session,Stream}Runtime`, checked (`invalid_options` naming the runtime). */
export function parseHarnessOptions(runtimeClass: RuntimeClass, raw: HarnessOptions | undefined): HarnessOptions {
  return parseAt(HarnessOptionsSchema, raw ?? {}, `create${runtimeClass === 'session' ? 'Session' : 'Stream'}Runtime: invalid options`) as HarnessOptions;
}
