import { z } from 'zod';
import type { Clock, ConnectorDefinition, Logger, Stores } from '@integration/contracts';

export const OAuthClientSchema = z.strictObject({
  clientId: z.string().min(1),
  /** Omit for public clients (PKCE only, no client authentication). */
  clientSecret: z.string().min(1).optional(),
  redirectUri: z.url(),
});
export type OAuthClient = z.infer<typeof OAuthClientSchema>;

export type ConnectorLookup = (connectorId: string) => ConnectorDefinition | null | undefined;

export interface AuthServiceOptions {
  stores: Stores;
  /** The connectors auth serves: a list, or a lookup (e.g. the control plane registry). */
  connectors: ConnectorDefinition[] | ConnectorLookup;
  /** The sealing key ring. Required outside development. */
  secrets?: { keys: Record<string, string>; activeKeyId: string };
  environment?: 'development' | 'production' | 'test';
  clock?: Clock;
  logger?: Logger;
  /** OAuth client registrations by connector id. */
  oauthClients?: Record<string, OAuthClient>;
  /** Used for every OAuth HTTP call; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Refresh a credential this long before it expires. Default 60 000 ms. */
  refreshSkewMs?: number;
  /** Upper bound on one refresh (handler or token endpoint). Default 30 000 ms. */
  refreshTimeoutMs?: number;
  /** Upper bound on one token-endpoint call during install. Default 10 000 ms. */
  httpTimeoutMs?: number;
  /** Default lease lifetime. Default 300 s. */
  leaseTtlSeconds?: number;
  /** Default install lifetime. Default 600 s. */
  installTtlSeconds?: number;
}

const positiveInt = z.number().int().positive();

export const AuthServiceOptionsSchema = z.object({
  stores: z.custom<Stores>((v) => typeof v === 'object' && v !== null && 'auth' in v && 'transaction' in v, 'stores must be a Stores object'),
  connectors: z.union([
    z.array(z.custom<ConnectorDefinition>((v) => typeof v === 'object' && v !== null && 'id' in v && 'auth' in v, 'a ConnectorDefinition')),
    z.custom<ConnectorLookup>((v) => typeof v === 'function', 'a connector lookup function'),
  ]),
  secrets: z.unknown().optional(),
  environment: z.enum(['development', 'production', 'test']).default('production'),
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function', 'clock must have now()').optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function', 'logger must be a Logger').optional(),
  oauthClients: z.record(z.string().min(1), OAuthClientSchema).default({}),
  fetch: z.custom<typeof globalThis.fetch>((v) => typeof v === 'function', 'fetch must be a function').optional(),
  refreshSkewMs: z.number().int().nonnegative().default(60_000),
  refreshTimeoutMs: positiveInt.default(30_000),
  httpTimeoutMs: positiveInt.default(10_000),
  leaseTtlSeconds: positiveInt.max(86_400).default(300),
  installTtlSeconds: positiveInt.max(86_400 * 7).default(600),
});
