import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoundaryAdapter, ClaimRequest } from './adapter';
import type { AllocateBoundaryRequest, BoundarySessionDescriptorInput, ReopenBoundaryRequest } from './descriptor';
import { boundaryError } from './boundary-error';

/** Variables a local boundary session may inherit from the host; everything else is dropped. */
export const DEFAULT_ENV_ALLOWLIST = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM'] as const;

export interface LocalBoundaryAdapterOptions {
  /** Parent directory of the per-session working directories. Default: the OS temp dir. */
  root?: string;
  /** Host variables passed through (values copied at allocation). Default DEFAULT_ENV_ALLOWLIST. */
  envAllowlist?: readonly string[];
  /** Fixed variables every session gets (must not be secrets). */
  extraEnv?: Record<string, string>;
  /** The host environment to read allowlisted variables from. Default process.env. */
  hostEnv?: NodeJS.ProcessEnv;
}

interface LocalSession {
  descriptor: BoundarySessionDescriptorInput & { boundarySessionId: string };
  workdir: string;
  heartbeats: number;
}

/** Builds the scrubbed environment: allowlisted host variables, HOME/TMPDIR = the workdir. */
export function scrubbedEnv(workdir: string, options: LocalBoundaryAdapterOptions = {}): Record<string, string> {
  const host = options.hostEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const name of options.envAllowlist ?? DEFAULT_ENV_ALLOWLIST) {
    const value = host[name];
    if (typeof value === 'string') env[name] = value;
  }
  return { ...env, ...options.extraEnv, HOME: workdir, TMPDIR: workdir };
}

/**
 * A boundary on the local host: each boundary session gets its own working directory (mkdtemp)
 * and a scrubbed environment; `stop` removes the directory. Allocation is idempotent by id.
 */
export function localBoundaryAdapter(options: LocalBoundaryAdapterOptions = {}): BoundaryAdapter & { sessions(): string[] } {
  const sessions = new Map<string, LocalSession>();

  const open = async (request: AllocateBoundaryRequest | ReopenBoundaryRequest): Promise<BoundarySessionDescriptorInput> => {
    const existing = sessions.get(request.boundarySessionId);
    if (existing) return existing.descriptor;
    const safeId = request.boundarySessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48);
    const workdir = await mkdtemp(join(options.root ?? tmpdir(), `boundary-${safeId}-`));
    const attachable = request.attach.mode === 'attachable';
    const descriptor = {
      descriptorVersion: 1 as const,
      boundarySessionId: request.boundarySessionId,
      backendKind: request.backendKind,
      boundaryClass: request.boundaryClass ?? null,
      status: 'ready' as const,
      attachReady: attachable,
      workspace: { workspaceRoot: workdir, snapshotRef: null, artifactNamespace: null },
      attach: attachable
        ? {
            mode: 'attachable' as const,
            executionSurface: { surfaceKind: 'local_process', environment: scrubbedEnv(workdir, options), transportOptions: {} },
            workingDirectory: workdir,
          }
        : { mode: 'not_applicable' as const, executionSurface: null, workingDirectory: null },
      policyIntentEcho: request.policyIntent,
      refs: request.refs,
      extensions: request.extensions,
      metadata: request.metadata,
    };
    sessions.set(request.boundarySessionId, { descriptor, workdir, heartbeats: 0 });
    return descriptor;
  };

  const known = (id: string): LocalSession => {
    const session = sessions.get(id);
    if (!session) {
      throw boundaryError('resource_unavailable', { reason: 'unknown_boundary_session', message: `no local boundary session ${id}` });
    }
    return session;
  };

  return {
    name: 'local',
    allocate: open,
    reopen: open,
    async fetchStatus(id) {
      return known(id).descriptor;
    },
    async claim(id, claim: ClaimRequest) {
      const session = known(id);
      session.descriptor = {
        ...session.descriptor,
        runtimeOwner: claim.runtimeOwner,
        refs: { ...(session.descriptor.refs as object), runtimeRef: claim.runtimeRef } as never,
      };
      return session.descriptor;
    },
    async heartbeat(id) {
      const session = known(id);
      session.heartbeats += 1;
      return session.descriptor;
    },
    async stop(id) {
      const session = sessions.get(id);
      if (!session) return;
      sessions.delete(id);
      await rm(session.workdir, { recursive: true, force: true });
    },
    sessions: () => [...sessions.keys()],
  };
}
