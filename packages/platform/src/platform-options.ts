import { z } from 'zod';
import type {
  ArtifactPayloadStore,
  Clock,
  ConnectorDefinition,
  DirectHandler,
  Logger,
  Runtime,
  Stores,
} from '@integration/contracts';

const isObject = (v: unknown) => typeof v === 'object' && v !== null;
const hasMethods = (...names: string[]) => (v: unknown) => isObject(v) && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');

export const PlatformOptionsSchema = z.strictObject({
  connectors: z.array(z.custom<ConnectorDefinition>((v) => isObject(v) && Array.isArray((v as ConnectorDefinition).capabilities), 'a connector built with defineConnector')).default([]),
  stores: z.custom<Stores>(hasMethods('transaction', 'migrate', 'close'), 'a Stores implementation (memoryStores(), sqliteStores(), postgresStores())').optional(),
  secrets: z
    .strictObject({
      keys: z.record(z.string().min(1), z.string().min(1)),
      activeKeyId: z.string().min(1),
    })
    .optional(),
  environment: z.enum(['development', 'test', 'production']).optional(),
  logger: z.custom<Logger>(hasMethods('debug', 'info', 'warn', 'error', 'child'), 'a pino-compatible logger').optional(),
  /**
   * Also redact log fields whose key looks secret (`token`, `password`, `apiKey`…). Logs only:
   * records, artifacts and what invoke returns are never redacted by key name.
   */
  redactLogKeyNames: z.boolean().default(false),
  clock: z.custom<Clock>(hasMethods('now'), 'a clock with now()').optional(),
  runtimes: z
    .strictObject({
      direct: z.custom<Runtime>(hasMethods('execute')).optional(),
      session: z.custom<Runtime>(hasMethods('execute')).optional(),
      stream: z.custom<Runtime>(hasMethods('execute')).optional(),
    })
    .default({}),
  artifactPayloads: z.custom<ArtifactPayloadStore>(hasMethods('put', 'get')).optional(),
  triggerHandlers: z.record(z.string(), z.custom<DirectHandler<unknown, unknown>>((v) => typeof v === 'function')).default({}),
  webhooks: z
    .strictObject({
      basePath: z.string().startsWith('/').optional(),
      maxBodyBytes: z.number().int().positive().optional(),
      routeCacheMs: z.number().int().nonnegative().optional(),
    })
    .default({}),
  oauthClients: z
    .record(z.string(), z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1), redirectUri: z.url() }))
    .default({}),
});

export type PlatformOptions = z.input<typeof PlatformOptionsSchema>;
export type ResolvedPlatformOptions = z.output<typeof PlatformOptionsSchema>;
