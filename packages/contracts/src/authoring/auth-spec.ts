import { z } from 'zod';
import { AuthTypeSchema } from '../records/credential-ref';
import type { Connection } from '../records/auth';

export const OAuthEndpointsSchema = z.strictObject({
  authorizationUrl: z.url(),
  tokenUrl: z.url(),
  revocationUrl: z.url().optional(),
  scopeSeparator: z.string().default(' '),
  /** False for providers whose OAuth has no scopes (e.g. Notion): `scope` is left out of the authorize URL. */
  sendScope: z.boolean().default(true),
  pkce: z.boolean().default(true),
  tokenAuthMethod: z.enum(['client_secret_post', 'client_secret_basic']).default('client_secret_post'),
  extraAuthorizeParams: z.record(z.string(), z.string()).default({}),
  /**
   * OAuth `error` codes from the token endpoint that mean the refresh token is dead (→
   * reauth_required) rather than a transient failure. GitHub adds `bad_refresh_token`.
   */
  deadGrantErrors: z.array(z.string().min(1)).default(['invalid_grant']),
});
export type OAuthEndpoints = z.infer<typeof OAuthEndpointsSchema>;

export interface RefreshInput {
  connection: Connection;
  /** The current secret (inside auth only). */
  secret: Record<string, string>;
  signal: AbortSignal;
}

export interface RefreshOutcome {
  secret: Record<string, string>;
  expiresAt?: string | null;
  scopes?: string[];
}

/**
 * Refreshes an expired credential. Throw a ConnectorError of class `auth_failed` for
 * invalid_grant-class failures (→ reauth_required); any other failure is transient (→ degraded).
 */
export type RefreshHandler = (input: RefreshInput) => Promise<RefreshOutcome>;

/**
 * Turns a token-endpoint response into the durable secret (e.g. keep refresh_token out of leases).
 * `context.now` is the platform clock, for turning `expires_in` into an expiry.
 */
export type InstallBinding = (tokenResponse: Record<string, unknown>, context: { now: number }) => {
  secret: Record<string, string>;
  expiresAt?: string | null;
  scopes?: string[];
  metadata?: Record<string, unknown>;
};

export const AuthSpecSchema = z.strictObject({
  type: AuthTypeSchema,
  bindingKind: z.enum(['connection_id', 'tenant', 'none']).default('connection_id'),
  requestedScopes: z.array(z.string().min(1)).default([]),
  /** Secret keys that may appear in a lease payload. */
  leaseFields: z.array(z.string().min(1)).default([]),
  /** Secret names the connector's triggers need (e.g. `webhook_secret`). */
  secretNames: z.array(z.string().min(1)).default([]),
  oauth: OAuthEndpointsSchema.optional(),
  refresh: z.custom<RefreshHandler>((v) => typeof v === 'function', 'refresh must be a function').optional(),
  installBinding: z.custom<InstallBinding>((v) => typeof v === 'function', 'installBinding must be a function').optional(),
});
export type AuthSpec = z.output<typeof AuthSpecSchema>;
export type AuthSpecInput = z.input<typeof AuthSpecSchema>;

export const CatalogSpecSchema = z.strictObject({
  displayName: z.string().min(1),
  description: z.string().default(''),
  category: z.string().default('uncategorized'),
  tags: z.array(z.string()).default([]),
  docsRefs: z.array(z.string()).default([]),
  maturity: z.enum(['experimental', 'alpha', 'beta', 'ga']).default('experimental'),
  publication: z.enum(['internal', 'public', 'private']).default('internal'),
});
export type CatalogSpec = z.output<typeof CatalogSpecSchema>;
export type CatalogSpecInput = z.input<typeof CatalogSpecSchema>;
