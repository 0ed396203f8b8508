import { isIntegrationError } from '@integration/contracts';
import { asIntegrationError, runtimeError } from '../errors';
import { EventChannel } from '../event-channel';
import { drain, type Driver, type DriverStartRequest, type ExecutionEvent, type ExecutionResult, type RunRequest, type SessionHandle, type SessionStatus } from '../driver';
import { codexProfile } from './codex-profile';
import { jsonlProfile } from './jsonl-profile';
import { shellProfile } from './shell-profile';
import { runProcess, type ProcessOutcome } from './process-runner';
import { stringArray, type ProfileSessionState, type SubprocessProfile, type TurnOutcome } from './profile';

export interface SubprocessDriverOptions {
  /** Extra or replacement profiles by provider id (built in: codex, jsonl, shell). */
  profiles?: Record<string, SubprocessProfile>;
  /** SIGTERM → SIGKILL grace period for the process group. */
  killGraceMs?: number;
  maxLineBytes?: number;
  /** Events kept per turn (a chatty CLI must not flood the ledger); the rest are counted. Default 2000. */
  maxEventsPerTurn?: number;
}

interface SessionEntry {
  profile: SubprocessProfile;
  command: string;
  baseArgs: string[];
  options: Record<string, unknown>;
  cwd: string | null;
  env: Record<string, string>;
  state: ProfileSessionState;
  turns: number;
  failed: boolean;
  stopped: boolean;
  active: Map<string, AbortController>;
  /** Settles when each running turn's process is gone. */
  running: Set<Promise<unknown>>;
}

export const builtInProfiles: Record<string, SubprocessProfile> = {
  codex: codexProfile,
  jsonl: jsonlProfile,
  shell: shellProfile,
};

/**
 * Spawns one CLI process per turn, chosen by the capability's provider profile. The child runs in
 * its own process group with the boundary's scrubbed environment plus this turn's lease variables.
 */
export function subprocessDriver(options: SubprocessDriverOptions = {}): Driver {
  const profiles = { ...builtInProfiles, ...options.profiles };
  const sessions = new Map<string, SessionEntry>();

  const entryOf = (handle: SessionHandle): SessionEntry => {
    const entry = sessions.get(handle.sessionId);
    if (!entry || entry.stopped) throw runtimeError('session_failed', `session ${handle.sessionId} is not open`, { sessionId: handle.sessionId });
    return entry;
  };

  const stream = (handle: SessionHandle, request: RunRequest, signal: AbortSignal) => {
    const channel = new EventChannel(request.runId);
    const events: ExecutionEvent[] = [];
    const maxEvents = options.maxEventsPerTurn ?? 2_000;
    let dropped = 0;
    const emit = (event: ExecutionEvent) => {
      if (events.length >= maxEvents) {
        dropped += 1;
        return;
      }
      events.push(event);
      channel.push(event);
    };
    const close = (result: Omit<ExecutionResult, 'events'>) => {
      if (dropped > 0) {
        const notice: ExecutionEvent = { type: 'subprocess.events_truncated', level: 'warn', payload: { kept: maxEvents, dropped } };
        events.push(notice);
        channel.push(notice);
      }
      channel.close({ ...result, events });
    };

    let entry: SessionEntry;
    try {
      entry = entryOf(handle);
    } catch (error) {
      close({ status: 'failed', output: {}, error: asIntegrationError(error) });
      return channel;
    }
    const controller = new AbortController();
    entry.active.set(request.runId, controller);
    const onAbort = () => controller.abort();
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', onAbort, { once: true });

    const done = (async () => {
      const turn = { request, sessionId: handle.sessionId, options: entry.options, cwd: entry.cwd, state: entry.state };
      let outcome: ProcessOutcome;
      let parser: ReturnType<SubprocessProfile['parser']>;
      try {
        const invocation = entry.profile.invocation(turn);
        parser = entry.profile.parser(turn);
        outcome = await runProcess(
          {
            command: entry.command,
            args: [...entry.baseArgs, ...invocation.args],
            cwd: entry.cwd,
            env: { ...entry.env, ...invocation.env },
            ...(invocation.stdin === undefined ? {} : { stdin: invocation.stdin }),
          },
          {
            signal: controller.signal,
            timeoutMs: request.timeoutMs,
            ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
            ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
            onSpawn: (pid) => emit({ type: 'subprocess.spawned', payload: { pid, profile: entry.profile.id, turn: request.turn } }),
            onLine: (line) => {
              for (const event of parser.line(line)) emit(event);
            },
          },
        );
      } catch (error) {
        close({ status: 'failed', output: {}, error: asIntegrationError(error) });
        return;
      } finally {
        signal.removeEventListener('abort', onAbort);
        entry.active.delete(request.runId);
      }
      close(settle(entry, outcome, parser, request, emit));
    })();
    entry.running.add(done);
    done.finally(() => entry.running.delete(done)).catch(() => {});
    return channel;
  };

  return {
    id: 'subprocess',
    needsWorkspace: true,
    async start(request: DriverStartRequest): Promise<SessionHandle> {
      const provider = request.provider ?? 'jsonl';
      const profile = profiles[provider];
      if (!profile) {
        throw runtimeError('invalid_request', `the subprocess driver has no profile "${provider}"`, {
          provider,
          profiles: Object.keys(profiles),
        });
      }
      const command = typeof request.options.command === 'string' && request.options.command.length > 0 ? request.options.command : profile.defaultCommand;
      sessions.set(request.sessionId, {
        profile,
        command,
        baseArgs: stringArray(request.options.args),
        options: request.options,
        cwd: request.cwd,
        // Without a boundary (boundary: false) the child still never inherits the host's variables.
        env: Object.keys(request.env).length > 0 ? { ...request.env } : minimalEnv(),
        state: {},
        turns: 0,
        failed: false,
        stopped: false,
        active: new Map(),
        running: new Set(),
      });
      return { sessionId: request.sessionId, driverId: 'subprocess', provider, state: { profile: profile.id } };
    },
    run(handle, request, signal) {
      return drain(stream(handle, request, signal));
    },
    stream,
    async cancel(handle, runId) {
      sessions.get(handle.sessionId)?.active.get(runId)?.abort();
    },
    async status(handle): Promise<SessionStatus> {
      const entry = sessions.get(handle.sessionId);
      const active = entry ? [...entry.active.keys()] : [];
      return {
        sessionId: handle.sessionId,
        driverId: 'subprocess',
        state: !entry || entry.stopped ? 'stopped' : entry.failed ? 'failed' : active.length > 0 ? 'running' : 'ready',
        turns: entry?.turns ?? 0,
        activeRunId: active[0] ?? null,
      };
    },
    async stop(handle) {
      const entry = sessions.get(handle.sessionId);
      if (!entry) return;
      entry.stopped = true;
      for (const controller of entry.active.values()) controller.abort();
      // Wait for the killed process groups so nothing outlives stop() (bounded by killGraceMs).
      await Promise.allSettled([...entry.running]);
      sessions.delete(handle.sessionId);
    },
  };
}

function minimalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'LANG']) {
    const value = process.env[name];
    if (typeof value === 'string') env[name] = value;
  }
  return env;
}

function settle(
  entry: SessionEntry,
  outcome: ProcessOutcome,
  parser: ReturnType<SubprocessProfile['parser']>,
  request: RunRequest,
  emit: (event: ExecutionEvent) => void,
): Omit<ExecutionResult, 'events'> {
  const fail = (error: ReturnType<typeof runtimeError>, status: 'failed' | 'cancelled' = 'failed') => {
    entry.failed = status === 'failed';
    return { status, output: {}, error };
  };
  const stderrTail = 'stderr' in outcome ? outcome.stderr.slice(-2_000) : '';
  const learned = parser.state?.();
  if (learned) entry.state = learned;
  switch (outcome.kind) {
    case 'spawn_error':
      return fail(
        runtimeError('subprocess_failed', `could not start ${entry.profile.id} CLI: ${outcome.code}`, {
          profile: entry.profile.id,
          spawnError: outcome.code,
          exitCode: null,
        }),
      );
    case 'timeout':
      emit({ type: 'subprocess.killed', level: 'warn', payload: { reason: 'timeout', timeoutMs: request.timeoutMs } });
      return fail(runtimeError('runtime_timeout', `${entry.profile.id} CLI timed out after ${request.timeoutMs} ms`, { timeoutMs: request.timeoutMs, stderr: stderrTail }, { retryable: true }));
    case 'cancelled':
      emit({ type: 'subprocess.killed', level: 'warn', payload: { reason: 'cancelled' } });
      return fail(runtimeError('runtime_cancelled', `${entry.profile.id} turn was cancelled`, { turn: request.turn }), 'cancelled');
    case 'line_too_long':
      return fail(runtimeError('malformed_output', `${entry.profile.id} CLI wrote an oversized line`, { reason: 'line_too_long' }));
    case 'line_rejected':
      return fail(isIntegrationError(outcome.error) ? outcome.error : asIntegrationError(outcome.error, 'malformed_output'));
    case 'exited': {
      if (outcome.exitCode !== 0) {
        const how = outcome.exitCode === null ? `signal ${outcome.signal}` : `code ${outcome.exitCode}`;
        return fail(
          runtimeError('subprocess_failed', `${entry.profile.id} CLI exited with ${how}`, {
            profile: entry.profile.id,
            exitCode: outcome.exitCode,
            signal: outcome.signal,
            stderr: stderrTail,
          }),
        );
      }
      let result: TurnOutcome;
      try {
        result = parser.finish();
      } catch (error) {
        return fail(asIntegrationError(error, 'malformed_output'));
      }
      if (result.state) entry.state = result.state;
      if (result.error) return fail(result.error);
      entry.turns += 1;
      return { status: 'completed', output: result.output, ...(result.checkpoint === undefined ? {} : { checkpoint: result.checkpoint }) };
    }
  }
}
