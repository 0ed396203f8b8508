import { ANONYMOUS_CREDENTIAL_REF, isoAt, newId, type Clock, type CredentialRef, type Lease } from '@integration/contracts';

/** A connection auth has checked for one call; opaque beyond these fields. */
export interface BoundConnection {
  readonly connectionId: string;
  readonly credentialRef: CredentialRef;
  readonly tenantId: string;
  readonly grantedScopes: readonly string[];
}

/**
 * What the control plane needs from auth; `@integration/auth`'s service satisfies it. A call binds
 * its connection once and cuts its lease from that binding.
 */
export interface AuthBinding {
  bind(connectionId: string): Promise<BoundConnection>;
  lease(bound: BoundConnection, request: { requiredScopes: string[]; actorId: string | null; ttlSeconds?: number }): Promise<Lease>;
}

export interface ResolvedBinding {
  credentialRef: CredentialRef;
  connectionId: string | null;
  tenantId: string | null;
  grantedScopes: string[];
  /** The auth binding the lease is cut from; null on the anonymous path. */
  bound: BoundConnection | null;
}

export const bindingOf = (bound: BoundConnection): ResolvedBinding => ({
  credentialRef: bound.credentialRef,
  connectionId: bound.connectionId,
  tenantId: bound.tenantId,
  grantedScopes: [...bound.grantedScopes],
  bound,
});

export const ANONYMOUS_LEASE_TTL_MS = 300_000;

export const anonymousBinding = (): ResolvedBinding => ({
  credentialRef: ANONYMOUS_CREDENTIAL_REF,
  connectionId: null,
  tenantId: null,
  grantedScopes: [],
  bound: null,
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
