import { newId, type Clock, type IntegrationError } from '@integration/contracts';
import type { AttemptPlan } from './attempt-plan';
import type { BoundaryBridge } from './boundary/bridge';
import { asIntegrationError } from './errors';
import { openSessionBoundary } from './session-boundary';
import { SessionCache, type EvictionReason, type SessionCacheOptions } from './session-cache';
import type { OpenSession, SessionInfo } from './open-session';

export type Acquired = { session: OpenSession; lifecycle: 'started' | 'reused' } | { failure: IntegrationError };

export interface SessionPoolOptions {
  cache: SessionCacheOptions;
  clock: Clock;
  bridge: BoundaryBridge | null;
  readinessTimeoutMs: number;
}

/**
 * The sessions of one harness, by reuse key: reused while alive (a reused session's boundary must
 * answer a heartbeat, else it is replaced), opened on demand, stopped (with their boundary) when
 * evicted. Callers hold the key's lock.
 */
export class SessionPool {
  private readonly cache: SessionCache<OpenSession>;

  constructor(private readonly options: SessionPoolOptions) {
    this.cache = new SessionCache<OpenSession>(
      options.cache,
      options.clock,
      async (_key, session: OpenSession, _reason: EvictionReason) => {
        await this.stop(session);
      },
      (session) => session.busy,
    );
  }

  /** The live session for `key`, or a new one (a failure to open it is returned, not thrown). */
  async acquire(plan: AttemptPlan, key: string): Promise<Acquired> {
    const reused = await this.reusable(key);
    if (reused) return { session: reused, lifecycle: 'reused' };
    let session: OpenSession;
    try {
      session = await this.open(plan, key);
    } catch (error) {
      return { failure: asIntegrationError(error, 'session_failed') };
    }
    await this.cache.set(key, session);
    return { session, lifecycle: 'started' };
  }

  /** A session that ended badly is not reused. */
  evictFailed(key: string): Promise<boolean> {
    return this.cache.evict(key, 'failed');
  }

  touch(key: string): void {
    this.cache.touch(key);
  }

  list(): SessionInfo[] {
    return this.cache.keys().flatMap((key) => {
      const s = this.cache.peek(key);
      return s
        ? [
            {
              key,
              sessionId: s.sessionId,
              driverId: s.driver.id,
              provider: s.provider,
              turns: s.turns,
              boundarySessionId: s.boundary?.boundarySessionId ?? null,
              workingDirectory: s.boundary?.attach.workingDirectory ?? null,
            },
          ]
        : [];
    });
  }

  async close(sessionId: string): Promise<boolean> {
    const key = this.cache.keys().find((k) => this.cache.peek(k)?.sessionId === sessionId);
    return key ? this.cache.evict(key, 'closed') : false;
  }

  closeAll(): Promise<void> {
    return this.cache.clear('closed');
  }

  private async reusable(key: string): Promise<OpenSession | undefined> {
    const session = await this.cache.get(key);
    const { bridge } = this.options;
    if (!session?.boundary || !bridge) return session;
    try {
      session.boundary = await bridge.heartbeat(session.boundary);
      if (session.boundary.status === 'failed') throw new Error('boundary failed');
      return session;
    } catch {
      await this.cache.evict(key, 'failed');
      return undefined;
    }
  }

  private async open(plan: AttemptPlan, key: string): Promise<OpenSession> {
    const { bridge, clock } = this.options;
    const sessionId = newId('sess', clock.now());
    const boundary = await openSessionBoundary(bridge, this.options.readinessTimeoutMs, plan, sessionId);
    const attach = boundary && bridge ? bridge.projectAttachMetadata(boundary) : null;
    try {
      const handle = await plan.driver.start({
        sessionId,
        capability: plan.capability,
        provider: plan.provider,
        options: plan.options,
        cwd: attach?.workingDirectory ?? null,
        env: attach?.executionSurface.environment ?? {},
        signal: plan.context.signal,
      });
      return { key, sessionId, driver: plan.driver, handle, provider: plan.provider, workspace: plan.workspace, boundary, turns: 0, busy: false };
    } catch (error) {
      if (boundary && bridge) await bridge.stop(boundary).catch(() => {});
      throw error;
    }
  }

  private async stop(session: OpenSession): Promise<void> {
    try {
      await session.driver.stop(session.handle);
    } finally {
      if (session.boundary && this.options.bridge) await this.options.bridge.stop(session.boundary).catch(() => {});
    }
  }
}
