import { ANONYMOUS_CREDENTIAL_REF, isoAt, newId, type Clock, type CredentialRef, type Lease } from '@integration/contracts';

/** What the control plane needs from auth; `@integration/auth`'s service satisfies it. */
export interface AuthBinding {
  resolveBinding(connectionId: string): Promise<{ credentialRef: CredentialRef; tenantId: string; grantedScopes: string[] }>;
  requestLease(connectionId: string, ctx: { requiredScopes: string[]; actorId: string | null; ttlSeconds?: number }): Promise<Lease>;
}

export interface ResolvedBinding {
  credentialRef: CredentialRef;
  connectionId: string | null;
  tenantId: string | null;
  grantedScopes: string[];
}

export const ANONYMOUS_LEASE_TTL_MS = 300_000;

export const anonymousBinding = (): ResolvedBinding => ({
  credentialRef: ANONYMOUS_CREDENTIAL_REF,
  connectionId: null,
  tenantId: null,
  grantedScopes: [],
});

/** The anonymous path mints its own empty lease; it is never stored. */
export function anonymousLease(clock: Clock): Lease {
  const now = clock.now();
  return {
    leaseId: newId('lease', now),
    credentialRefId: ANONYMOUS_CREDENTIAL_REF.id,
    connectionId: null,
    subject: ANONYMOUS_CREDENTIAL_REF.subject,
    scopes: [],
    payload: {},
    issuedAt: isoAt(now),
    expiresAt: isoAt(now + ANONYMOUS_LEASE_TTL_MS),
  };
}
