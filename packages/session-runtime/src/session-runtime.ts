import type { Runtime } from '@integration/contracts';
import type { Driver } from './driver';
import { createHarness, type Harness, type HarnessOptions, type SessionInfo } from './harness';
import { inProcessDriver } from './in-process/in-process-driver';
import { authBindingOf } from './redaction';
import { subprocessDriver } from './subprocess/subprocess-driver';

export type SessionRuntimeOptions = HarnessOptions;

export interface SessionRuntime extends Runtime {
  readonly runtimeClass: 'session';
  /** The open sessions (for review and tests). */
  sessions(): SessionInfo[];
  evict(sessionId: string): Promise<boolean>;
  /** Stops every cached session. */
  reset(): Promise<void>;
  close(): Promise<void>;
  readonly harness: Harness;
}

/** The built-in drivers: `subprocess` (CLI per provider profile) and `in-process` (session kernel). */
export function defaultSessionDrivers(): Record<string, Driver> {
  return { subprocess: subprocessDriver(), 'in-process': inProcessDriver() };
}

/**
 * The `session` runtime: each invoke is one turn of a session reused across invokes with the same
 * capability, connection, target, provider and workspace. Attempts record the session id as
 * `runtimeRefId`. Output = the driver's output plus `{ turn, sessionId, workspace, authBinding, approvalMode }`.
 */
export function createSessionRuntime(options: SessionRuntimeOptions = {}): SessionRuntime {
  const harness = createHarness('session', defaultSessionDrivers(), options);
  return {
    runtimeClass: 'session',
    harness,
    sessions: () => harness.sessions(),
    evict: (sessionId) => harness.evict(sessionId),
    reset: () => harness.reset(),
    close: () => harness.reset(),
    execute(capability, input, context) {
      return harness.execute(capability, input, context, {
        lifecycle: 'session',
        completedEvent: 'turn.completed',
        keyExtras: () => ({}),
        async complete(plan, session, result, turn) {
          const leaseField = typeof plan.options.leaseField === 'string' ? plan.options.leaseField : 'access_token';
          return {
            output: {
              ...result.output,
              turn,
              sessionId: session.sessionId,
              workspace: plan.workspace,
              authBinding: authBindingOf(plan.context.lease.payload, leaseField),
              approvalMode: plan.context.executionPolicy.sandbox.approvals,
            },
          };
        },
      });
    },
  };
}
