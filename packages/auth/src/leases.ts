import type { z } from 'zod';
import { integrationError, isoAt, newId, parseAt, type Lease, type LeaseRecord } from '@integration/contracts';
import { assertLeasable } from './connection-states';
import { logEvent, type AuthContext } from './context';
import { IdSchema, LeaseRequestSchema, type LeaseRequest } from './inputs';
import { liveOf, type BoundConnection } from './binding';
import { loadLive, type LiveCredential } from './refresh';
import { leasePayload, openSecret } from './secrets';

/**
 * Issues a short-lived lease: lease fields only, scopes checked, bound to the credential version
 * it came from. An expired (or nearly expired) credential is refreshed first.
 */
export async function requestLease(ctx: AuthContext, connectionIdInput: string, rawRequest: LeaseRequest = {}): Promise<Lease> {
  const connectionId = parseAt(IdSchema, connectionIdInput, 'connectionId');
  const request = parseAt(LeaseRequestSchema, rawRequest ?? {}, 'lease request');
  return mintLease(ctx, await loadLive(ctx, connectionId), request);
}

/** A lease cut from a connection bound earlier in the same call (see `bindConnection`). */
export async function leaseFromBinding(ctx: AuthContext, bound: BoundConnection, rawRequest: LeaseRequest = {}): Promise<Lease> {
  const request = parseAt(LeaseRequestSchema, rawRequest ?? {}, 'lease request');
  return mintLease(ctx, await liveOf(ctx, bound), request);
}

async function mintLease(ctx: AuthContext, { connection, credential }: LiveCredential, request: z.output<typeof LeaseRequestSchema>): Promise<Lease> {
  const connectionId = connection.connectionId;
  const granted = new Set(connection.grantedScopes);
  const missing = request.requiredScopes.filter((scope) => !granted.has(scope));
  if (missing.length > 0) {
    throw integrationError('missing_connection_scopes', `connection ${connectionId} lacks scopes: ${missing.join(', ')}`, {
      details: { connectionId, missing },
    });
  }
  const secret = openSecret(ctx.keyRing, credential);
  const fields = connection.leaseFields.length > 0 ? connection.leaseFields : credential.leaseFields;
  const payload = leasePayload(secret, fields);
  const now = ctx.clock.now();
  let expiresMs = now + (request.ttlSeconds ?? ctx.leaseTtlSeconds) * 1000;
  // A lease never outlives the credential it was cut from.
  if (credential.expiresAt !== null) expiresMs = Math.min(expiresMs, Date.parse(credential.expiresAt));
  const record: LeaseRecord = {
    leaseId: newId('lease', now),
    credentialRefId: credential.credentialId,
    credentialVersion: credential.version,
    connectionId,
    subject: credential.subject,
    scopes: request.requiredScopes.length > 0 ? request.requiredScopes : [...connection.grantedScopes],
    payloadKeys: Object.keys(payload).sort(),
    actorId: request.actorId ?? null,
    issuedAt: isoAt(now),
    expiresAt: isoAt(expiresMs),
    revokedAt: null,
    metadata: request.runId ? { runId: request.runId } : {},
  };
  await ctx.stores.auth.putLease(record);
  logEvent(ctx, 'debug', {
    event: 'auth.lease.issued',
    leaseId: record.leaseId,
    connectionId,
    credentialRefId: record.credentialRefId,
    credentialVersion: record.credentialVersion,
    payloadKeys: record.payloadKeys,
  }, 'lease issued');
  return toLease(record, payload);
}

function toLease(record: LeaseRecord, payload: Record<string, string>): Lease {
  return {
    leaseId: record.leaseId,
    credentialRefId: record.credentialRefId,
    connectionId: record.connectionId,
    subject: record.subject,
    scopes: [...record.scopes],
    payload,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
  };
}

/**
 * Re-reads a lease. It is refused once revoked or expired, when its connection can no longer serve
 * leases, and when the credential has moved on (rotation, refresh, re-install): an old lease id
 * never yields a newer secret.
 */
export async function fetchLease(ctx: AuthContext, leaseIdInput: string): Promise<Lease> {
  const leaseId = parseAt(IdSchema, leaseIdInput, 'leaseId');
  const record = await ctx.stores.auth.fetchLease(leaseId);
  if (!record) throw integrationError('unknown_lease', `no lease ${leaseId}`, { details: { leaseId } });
  const details = { leaseId, connectionId: record.connectionId };
  if (record.revokedAt !== null) throw integrationError('lease_revoked', `lease ${leaseId} was revoked`, { details });
  if (Date.parse(record.expiresAt) <= ctx.clock.now()) throw integrationError('expired_lease', `lease ${leaseId} expired`, { details });
  const connection = await ctx.stores.auth.fetchConnection(record.connectionId);
  if (!connection) throw integrationError('unknown_connection', `lease ${leaseId} points at a missing connection`, { details });
  assertLeasable(connection);
  const credential = await ctx.stores.auth.fetchCredential(record.credentialRefId);
  if (!credential) throw integrationError('unknown_credential', `lease ${leaseId} points at a missing credential`, { details });
  if (credential.version !== record.credentialVersion) {
    throw integrationError('lease_superseded', `lease ${leaseId} was issued from an older credential version; request a new lease`, {
      details: { ...details, leaseVersion: record.credentialVersion, currentVersion: credential.version },
    });
  }
  if (credential.subject !== record.subject) {
    throw integrationError('credential_subject_mismatch', `lease ${leaseId} does not match its credential's subject`, { details });
  }
  const secret = openSecret(ctx.keyRing, credential);
  const payload: Record<string, string> = {};
  for (const [key, value] of Object.entries(leasePayload(secret, record.payloadKeys))) payload[key] = value;
  return toLease(record, payload);
}
