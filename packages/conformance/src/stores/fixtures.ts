import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import {
  ArtifactRefSchema,
  AttemptSchema,
  ConnectionSchema,
  DispatchJobSchema,
  EventSchema,
  InstallSchema,
  LeaseRecordSchema,
  RunSchema,
  SealedCredentialSchema,
  TargetDescriptorSchema,
  TriggerCheckpointSchema,
  TriggerRecordSchema,
  WebhookRouteSchema,
  ANONYMOUS_CREDENTIAL_REF,
  isoAt,
  type ArtifactRef,
  type Attempt,
  type Connection,
  type DispatchJob,
  type Event,
  type Install,
  type LeaseRecord,
  type Run,
  type SealedCredential,
  type SecretEnvelope,
  type TargetDescriptor,
  type TriggerCheckpoint,
  type TriggerRecord,
  type WebhookRoute,
} from '@integration/contracts';

/** Fixed base time so records and their orderings are deterministic. */
export const T0 = Date.parse('2026-03-01T00:00:00.000Z');
export const at = (offsetMs: number): string => isoAt(T0 + offsetMs);

/** Unique suffix per check so checks never collide even on a shared backing store. */
export const uid = (): string => randomUUID().replace(/-/g, '').slice(0, 12);

const sha = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

export function run(overrides: Partial<Run> & { runId: string }, createdOffset = 0): Run {
  return RunSchema.parse({
    capabilityId: 'acme.issue.create',
    connectorId: 'acme',
    runtimeClass: 'direct',
    status: 'accepted',
    input: { title: 'hello', nested: { n: 1, list: [1, 'two', null] } },
    credentialRef: ANONYMOUS_CREDENTIAL_REF,
    createdAt: at(createdOffset),
    updatedAt: at(createdOffset),
    ...overrides,
  });
}

export function attempt(runId: string, n: number, overrides: Partial<Attempt> = {}): Attempt {
  return AttemptSchema.parse({
    attemptId: `${runId}:${n}`,
    runId,
    attempt: n,
    status: 'running',
    runtimeClass: 'direct',
    createdAt: at(n),
    updatedAt: at(n),
    ...overrides,
  });
}

export function event(runId: string, attemptNumber: number | null, seq: number, overrides: Partial<Event> = {}): Event {
  return EventSchema.parse({
    eventId: `evt_${uid()}`,
    runId,
    attemptId: attemptNumber === null ? null : `${runId}:${attemptNumber}`,
    attempt: attemptNumber,
    seq,
    type: 'test.event',
    payload: { seq },
    ts: at(seq),
    ...overrides,
  });
}

export function artifact(runId: string, artifactId: string, overrides: Partial<ArtifactRef> = {}): ArtifactRef {
  const checksum = sha(artifactId.length);
  return ArtifactRefSchema.parse({
    artifactId,
    runId,
    attemptId: `${runId}:1`,
    artifactType: 'log',
    checksum,
    sizeBytes: 12,
    payloadRef: { store: 's3', key: `runs/${runId}/${artifactId}`, checksum, sizeBytes: 12 },
    createdAt: at(0),
    ...overrides,
  });
}

export function target(targetId: string, overrides: Partial<TargetDescriptor> = {}): TargetDescriptor {
  return TargetDescriptorSchema.parse({
    targetId,
    capabilityId: 'acme.issue.create',
    runtimeClass: 'direct',
    version: '1.2.3',
    location: { mode: 'local' },
    ...overrides,
  });
}

export function install(installId: string, overrides: Partial<Install> = {}, createdOffset = 0): Install {
  return InstallSchema.parse({
    installId,
    connectionId: `conn_${installId}`,
    tenantId: 'tenant-a',
    connectorId: 'acme',
    authType: 'oauth2',
    subject: 'user-1',
    state: 'installing',
    callbackTokenHash: 'a'.repeat(64),
    expiresAt: at(600_000),
    createdAt: at(createdOffset),
    updatedAt: at(createdOffset),
    ...overrides,
  });
}

export function connection(connectionId: string, overrides: Partial<Connection> = {}, createdOffset = 0): Connection {
  return ConnectionSchema.parse({
    connectionId,
    tenantId: 'tenant-a',
    connectorId: 'acme',
    authType: 'oauth2',
    subject: 'user-1',
    state: 'connected',
    grantedScopes: ['issues:write'],
    createdAt: at(createdOffset),
    updatedAt: at(createdOffset),
    ...overrides,
  });
}

/** A real AES-256-GCM envelope of `plaintext` under a throwaway key (AAD binds the record id). */
export function sealWithTestKey(recordId: string, plaintext: string): { envelope: SecretEnvelope; key: Buffer } {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`integration.auth:${recordId}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    key,
    envelope: { alg: 'A256GCM', kid: 'battery-key', iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
  };
}

export function credential(credentialId: string, overrides: Partial<SealedCredential> = {}, createdOffset = 0): SealedCredential {
  return SealedCredentialSchema.parse({
    credentialId,
    connectionId: `conn_${credentialId}`,
    subject: 'user-1',
    authType: 'oauth2',
    scopes: ['issues:write'],
    leaseFields: ['access_token'],
    version: 1,
    envelope: sealWithTestKey(credentialId, 'not-a-real-secret').envelope,
    createdAt: at(createdOffset),
    updatedAt: at(createdOffset),
    ...overrides,
  });
}

export function lease(leaseId: string, connectionId: string, overrides: Partial<LeaseRecord> = {}): LeaseRecord {
  return LeaseRecordSchema.parse({
    leaseId,
    credentialRefId: `cred_${connectionId}`,
    credentialVersion: 1,
    connectionId,
    subject: 'user-1',
    scopes: ['issues:write'],
    payloadKeys: ['access_token'],
    issuedAt: at(0),
    expiresAt: at(300_000),
    ...overrides,
  });
}

export function trigger(admissionId: string, overrides: Partial<TriggerRecord> = {}, createdOffset = 0): TriggerRecord {
  return TriggerRecordSchema.parse({
    admissionId,
    source: 'webhook',
    connectorId: 'acme',
    triggerId: 'acme.issue.opened',
    capabilityId: 'acme.issue.opened',
    tenantId: 'tenant-a',
    dedupeKey: `dk-${admissionId}`,
    payload: { action: 'opened' },
    status: 'accepted',
    createdAt: at(createdOffset),
    updatedAt: at(createdOffset),
    ...overrides,
  });
}

export function checkpoint(partitionKey: string, overrides: Partial<TriggerCheckpoint> = {}): TriggerCheckpoint {
  return TriggerCheckpointSchema.parse({
    tenantId: 'tenant-a',
    connectorId: 'acme',
    triggerId: 'acme.issue.opened',
    partitionKey,
    cursor: 'c-1',
    updatedAt: at(0),
    ...overrides,
  });
}

export function job(dispatchId: string, overrides: Partial<DispatchJob> = {}, offset = 0): DispatchJob {
  return DispatchJobSchema.parse({
    dispatchId,
    runId: `run_${dispatchId}`,
    tenantId: 'tenant-a',
    connectorId: 'acme',
    triggerId: 'acme.issue.opened',
    capabilityId: 'acme.issue.opened',
    status: 'queued',
    attempts: 0,
    maxAttempts: 5,
    availableAt: at(offset),
    createdAt: at(offset),
    updatedAt: at(offset),
    ...overrides,
  });
}

export function route(routeId: string, overrides: Partial<WebhookRoute> = {}): WebhookRoute {
  return WebhookRouteSchema.parse({
    routeId,
    connectorId: 'acme',
    tenantId: 'tenant-a',
    installId: 'ins_1',
    triggerId: 'acme.issue.opened',
    capabilityId: 'acme.issue.opened',
    signalType: 'acme.issue.opened',
    signalSource: '/acme',
    topology: 'dynamic_per_install',
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  });
}
