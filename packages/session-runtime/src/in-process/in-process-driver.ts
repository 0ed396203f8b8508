import { asIntegrationError, runtimeError } from '../errors';
import { EventChannel } from '../event-channel';
import { drain, type Driver, type ExecutionEvent, type SessionHandle, type SessionStatus } from '../driver';
import { isSessionType, localEchoSessionType, type SessionType } from './session-type';

export interface InProcessDriverOptions {
  /** Session types by provider id. `local_echo` is built in. */
  types?: Record<string, SessionType<unknown>>;
  /** Resolves a type the capability carries in its authored options (default: `options.sessionType`). */
  resolve?(provider: string | null, options: Record<string, unknown>): SessionType<unknown> | undefined;
}

interface KernelSession {
  type: SessionType<unknown>;
  state: unknown;
  turns: number;
  failed: boolean;
  active: Map<string, AbortController>;
}

/**
 * The session kernel for sessions implemented in TypeScript. The session type is the registered
 * type named by the capability's provider; a capability may instead carry its own type in
 * `runtime.options.sessionType` (a host registration with the same provider wins).
 */
export function inProcessDriver(options: InProcessDriverOptions = {}): Driver {
  const types: Record<string, SessionType<unknown>> = { local_echo: localEchoSessionType as SessionType<unknown>, ...options.types };
  const sessions = new Map<string, KernelSession>();

  const driver: Driver = {
    id: 'in-process',
    needsWorkspace: false,
    async start(request) {
      const provider = request.provider;
      const registered = provider && Object.hasOwn(types, provider) ? types[provider] : undefined;
      const carried = options.resolve
        ? options.resolve(provider, request.options)
        : isSessionType(request.options.sessionType)
          ? request.options.sessionType
          : undefined;
      const type = registered ?? carried;
      if (!type) {
        throw runtimeError('invalid_request', `no in-process session type "${provider ?? '<none>'}" is registered`, {
          provider,
          types: Object.keys(types),
        });
      }
      const state = type.start ? await type.start({ sessionId: request.sessionId, provider, options: request.options, cwd: request.cwd }) : null;
      sessions.set(request.sessionId, { type, state, turns: 0, failed: false, active: new Map() });
      return { sessionId: request.sessionId, driverId: 'in-process', provider, state: {} };
    },
    stream(handle, request, signal) {
      const channel = new EventChannel(request.runId);
      const events: ExecutionEvent[] = [];
      const emit = (event: ExecutionEvent) => {
        events.push(event);
        channel.push(event);
      };
      const session = sessions.get(handle.sessionId);
      if (!session) {
        channel.close({ status: 'failed', output: {}, events, error: runtimeError('session_failed', `session ${handle.sessionId} is not open`) });
        return channel;
      }
      const controller = new AbortController();
      session.active.set(request.runId, controller);
      const timeout = AbortSignal.timeout(request.timeoutMs);
      const combined = AbortSignal.any([signal, timeout, controller.signal]);
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = () => {
          reject(
            timeout.aborted && !signal.aborted && !controller.signal.aborted
              ? runtimeError('runtime_timeout', `session turn timed out after ${request.timeoutMs} ms`, { timeoutMs: request.timeoutMs }, { retryable: true })
              : runtimeError('runtime_cancelled', 'session turn was cancelled', { turn: request.turn }),
          );
        };
        if (combined.aborted) onAbort();
        else combined.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      void (async () => {
        try {
          const result = await Promise.race([session.type.turn(session.state, request, { signal: combined, emit }), aborted]);
          if ('state' in result) session.state = result.state;
          session.turns += 1;
          channel.close({
            status: 'completed',
            output: result.output,
            events,
            ...(result.checkpoint === undefined ? {} : { checkpoint: result.checkpoint }),
            ...(result.artifacts ? { artifacts: result.artifacts } : {}),
          });
        } catch (error) {
          const failure = asIntegrationError(error);
          const cancelled = failure.code === 'runtime_cancelled';
          if (!cancelled) session.failed = true;
          channel.close({ status: cancelled ? 'cancelled' : 'failed', output: {}, events, error: failure });
        } finally {
          session.active.delete(request.runId);
        }
      })();
      return channel;
    },
    run(handle, request, signal) {
      return drain(driver.stream(handle, request, signal));
    },
    async cancel(handle, runId) {
      sessions.get(handle.sessionId)?.active.get(runId)?.abort();
    },
    async status(handle: SessionHandle): Promise<SessionStatus> {
      const session = sessions.get(handle.sessionId);
      const active = session ? [...session.active.keys()] : [];
      return {
        sessionId: handle.sessionId,
        driverId: 'in-process',
        state: !session ? 'stopped' : session.failed ? 'failed' : active.length > 0 ? 'running' : 'ready',
        turns: session?.turns ?? 0,
        activeRunId: active[0] ?? null,
      };
    },
    async stop(handle) {
      const session = sessions.get(handle.sessionId);
      if (!session) return;
      sessions.delete(handle.sessionId);
      for (const controller of session.active.values()) controller.abort();
      await session.type.stop?.(session.state);
    },
  };
  return driver;
}
