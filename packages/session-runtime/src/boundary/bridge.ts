import { setTimeout as delay } from 'node:timers/promises';
import { issuesOf, type IntegrationError } from '@integration/contracts';
import type { BoundaryAdapter, ClaimRequest } from './adapter';
import { boundaryError, normalizeBoundaryError } from './boundary-error';
import {
  AllocateBoundaryRequestSchema,
  BoundarySessionDescriptorSchema,
  ReopenBoundaryRequestSchema,
  SUPPORTED_DESCRIPTOR_VERSIONS,
  type AllocateBoundaryRequestInput,
  type AttachMetadata,
  type BoundarySessionDescriptor,
  type ReopenBoundaryRequestInput,
} from './descriptor';

export interface BoundaryBridgeOptions {
  adapter: BoundaryAdapter;
  /** Readiness poll interval. Default 50 ms. */
  pollIntervalMs?: number;
}

export interface ReadinessOptions {
  timeoutMs?: number;
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

export interface BoundaryBridge {
  readonly adapter: BoundaryAdapter;
  allocate(request: AllocateBoundaryRequestInput): Promise<BoundarySessionDescriptor>;
  reopen(request: ReopenBoundaryRequestInput): Promise<BoundarySessionDescriptor>;
  awaitReadiness(descriptor: BoundarySessionDescriptor, options?: ReadinessOptions): Promise<BoundarySessionDescriptor>;
  claim(descriptor: BoundarySessionDescriptor, claim: ClaimRequest): Promise<BoundarySessionDescriptor>;
  heartbeat(descriptor: BoundarySessionDescriptor): Promise<BoundarySessionDescriptor>;
  stop(descriptor: BoundarySessionDescriptor | string): Promise<void>;
  projectAttachMetadata(descriptor: BoundarySessionDescriptor): AttachMetadata | null;
}

type Refs = { correlationId?: string | null; requestId?: string | null };

/**
 * Validates a kernel descriptor. Two layers keep the bridge fail-closed even if the schema ever
 * widens: an explicit version check, then the schema (which also pins version 1).
 */
export function parseDescriptor(raw: unknown, refs: Refs = {}): BoundarySessionDescriptor {
  const version = raw && typeof raw === 'object' ? (raw as { descriptorVersion?: unknown }).descriptorVersion : undefined;
  if (!(SUPPORTED_DESCRIPTOR_VERSIONS as readonly unknown[]).includes(version)) {
    throw boundaryError('invalid_request', {
      code: 'invalid_descriptor',
      reason: 'unsupported_descriptor_version',
      message: `unsupported boundary descriptor_version ${JSON.stringify(version ?? null)}`,
      ...refs,
      details: { descriptorVersion: version ?? null, supportedVersions: [...SUPPORTED_DESCRIPTOR_VERSIONS] },
    });
  }
  const parsed = BoundarySessionDescriptorSchema.safeParse(raw);
  if (!parsed.success) {
    throw boundaryError('invalid_request', {
      code: 'invalid_descriptor',
      reason: 'invalid_descriptor',
      message: `invalid boundary descriptor: ${issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      ...refs,
      details: { issues: issuesOf(parsed.error) },
    });
  }
  return parsed.data;
}

function parseRequest<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw boundaryError('invalid_request', {
      reason: 'invalid_boundary_request',
      message: `invalid boundary request: ${issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      details: { issues: issuesOf(parsed.error) },
    });
  }
  return parsed.data;
}

function needsWait(descriptor: BoundarySessionDescriptor): boolean {
  return descriptor.attach.mode === 'attachable' && !descriptor.attachReady && descriptor.status !== 'failed';
}

/** The boundary bridge: a stateless translation seam between runtime intent and a sandbox kernel. */
export function createBoundaryBridge(options: BoundaryBridgeOptions): BoundaryBridge {
  const { adapter } = options;
  const defaultPoll = options.pollIntervalMs ?? 50;

  const call = async <T>(operation: string, refs: Refs, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw normalizeBoundaryError(error, refs, operation);
    }
  };

  const bridge: BoundaryBridge = {
    adapter,
    async allocate(input) {
      const request = parseRequest(AllocateBoundaryRequestSchema, input);
      const refs = request.refs;
      const descriptor = parseDescriptor(await call('allocate', refs, () => adapter.allocate(request)), refs);
      if (!needsWait(descriptor)) return descriptor;
      return bridge.awaitReadiness(descriptor, { timeoutMs: request.readinessTimeoutMs });
    },
    async reopen(input) {
      const request = parseRequest(ReopenBoundaryRequestSchema, input);
      const refs = request.refs;
      const descriptor = parseDescriptor(await call('reopen', refs, () => adapter.reopen(request)), refs);
      if (!needsWait(descriptor)) return descriptor;
      return bridge.awaitReadiness(descriptor, { timeoutMs: request.readinessTimeoutMs });
    },
    async awaitReadiness(descriptor, readiness = {}) {
      if (descriptor.attach.mode === 'not_applicable' || descriptor.attachReady || descriptor.status === 'failed') return descriptor;
      const refs = descriptor.refs;
      const timeoutMs = readiness.timeoutMs ?? 5_000;
      const interval = readiness.pollIntervalMs ?? defaultPoll;
      const deadline = Date.now() + timeoutMs;
      let current = descriptor;
      while (Date.now() < deadline) {
        if (readiness.signal?.aborted) break;
        await delay(Math.min(interval, Math.max(0, deadline - Date.now())), undefined, { ref: false }).catch(() => {});
        current = parseDescriptor(await call('fetch_status', refs, () => adapter.fetchStatus(descriptor.boundarySessionId)), refs);
        if (current.attachReady || current.status === 'failed') return current;
      }
      let cleanupOutcome: 'cleaned_up' | 'unknown' = 'cleaned_up';
      try {
        await adapter.stop(descriptor.boundarySessionId);
      } catch {
        cleanupOutcome = 'unknown';
      }
      const cancelled = readiness.signal?.aborted === true;
      throw boundaryError('timeout', {
        ...(cancelled ? { code: 'runtime_cancelled' as const } : {}),
        reason: cancelled ? 'boundary_readiness_cancelled' : 'boundary_readiness_timeout',
        message: cancelled
          ? `boundary ${descriptor.boundarySessionId} readiness wait was cancelled`
          : `boundary ${descriptor.boundarySessionId} was not ready within ${timeoutMs} ms`,
        ...refs,
        details: { boundarySessionId: descriptor.boundarySessionId, timeoutMs, cleanupOutcome, lastStatus: current.status },
      });
    },
    async claim(descriptor, claim) {
      const refs = descriptor.refs;
      return parseDescriptor(await call('claim', refs, () => adapter.claim(descriptor.boundarySessionId, claim)), refs);
    },
    async heartbeat(descriptor) {
      const refs = descriptor.refs;
      return parseDescriptor(await call('heartbeat', refs, () => adapter.heartbeat(descriptor.boundarySessionId)), refs);
    },
    async stop(descriptor) {
      const id = typeof descriptor === 'string' ? descriptor : descriptor.boundarySessionId;
      const refs = typeof descriptor === 'string' ? {} : descriptor.refs;
      await call('stop', refs, () => adapter.stop(id));
    },
    projectAttachMetadata(descriptor) {
      if (descriptor.attach.mode === 'not_applicable') return null;
      if (!descriptor.attachReady || !descriptor.attach.executionSurface) {
        throw boundaryError('resource_unavailable', {
          reason: 'boundary_attach_not_ready',
          message: `boundary ${descriptor.boundarySessionId} is not ready to attach`,
          correlationId: descriptor.refs.correlationId,
          requestId: descriptor.refs.requestId,
          details: { status: descriptor.status },
        });
      }
      return {
        boundarySessionId: descriptor.boundarySessionId,
        executionSurface: descriptor.attach.executionSurface,
        workingDirectory: descriptor.attach.workingDirectory ?? descriptor.workspace.workspaceRoot,
        refs: descriptor.refs,
      };
    },
  };
  return bridge;
}

export type { IntegrationError };
