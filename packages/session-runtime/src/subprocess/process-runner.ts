import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string | null;
  /** The complete environment of the child: nothing is inherited from the parent. */
  env: Record<string, string>;
  /** Written to stdin, which is then closed. */
  stdin?: string;
}

export interface ProcessRunOptions {
  /** The caller's cancellation. */
  signal: AbortSignal;
  timeoutMs: number;
  /** How long SIGTERM may take before the process group gets SIGKILL. */
  killGraceMs?: number;
  /** Lines longer than this end the run as malformed output. */
  maxLineBytes?: number;
  /** Called for every stdout line; throwing stops the process (the error becomes the outcome). */
  onLine(line: string): void;
  onSpawn?(pid: number): void;
}

export type ProcessOutcome =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }
  | { kind: 'timeout'; stderr: string }
  | { kind: 'cancelled'; stderr: string }
  | { kind: 'spawn_error'; code: string; message: string }
  | { kind: 'line_rejected'; error: unknown; stderr: string }
  | { kind: 'line_too_long'; stderr: string };

const STDERR_TAIL_BYTES = 8 * 1024;

/** Process groups still running; killed if the host process exits while they do. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) killGroup(group, 'SIGKILL');
  });
}

/** Sends a signal to the whole process group of a detached child; a gone group is not an error. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns a CLI in its own process group (detached), streams stdout line by line and resolves once
 * the process and its pipes are gone. Cancellation and timeouts kill the whole group: SIGTERM,
 * then SIGKILL after the grace period.
 */
export function runProcess(spec: ProcessSpec, options: ProcessRunOptions): Promise<ProcessOutcome> {
  const killGraceMs = options.killGraceMs ?? 2_000;
  const maxLineBytes = options.maxLineBytes ?? 4 * 1024 * 1024;
  return new Promise<ProcessOutcome>((resolve) => {
    let settled: ProcessOutcome | null = null;
    let stderr = '';
    let stopReason: Exclude<ProcessOutcome['kind'], 'exited' | 'spawn_error'> | null = null;
    let lineError: unknown = null;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = outcome;
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };

    if (options.signal.aborted) {
      finish({ kind: 'cancelled', stderr: '' });
      return;
    }

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd ?? undefined,
        env: spec.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      finish({ kind: 'spawn_error', code: err.code ?? 'spawn_failed', message: err.message });
      return;
    }

    const stop = (reason: NonNullable<typeof stopReason>) => {
      if (stopReason) return;
      stopReason = reason;
      if (child.pid !== undefined) {
        killGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => {
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        }, killGraceMs);
        killTimer.unref();
      }
    };
    function onAbort() {
      stop('cancelled');
    }
    options.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => stop('timeout'), options.timeoutMs);

    child.on('error', (error: NodeJS.ErrnoException) => {
      // Spawn failures (ENOENT, EACCES) arrive here before any output.
      if (child.pid === undefined) finish({ kind: 'spawn_error', code: error.code ?? 'spawn_failed', message: error.message });
    });
    if (child.pid !== undefined) {
      trackGroup(child.pid);
      options.onSpawn?.(child.pid);
    }

    child.stdin?.on('error', () => {
      // The child may exit before reading stdin (EPIPE); its exit status tells the story.
    });
    child.stdin?.end(spec.stdin ?? '');

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });

    if (child.stdout) {
      const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (stopReason) return;
        if (Buffer.byteLength(line) > maxLineBytes) {
          stop('line_too_long');
          return;
        }
        try {
          options.onLine(line);
        } catch (error) {
          lineError = error;
          stop('line_rejected');
        }
      });
    }

    child.on('exit', () => {
      if (child.pid !== undefined) {
        // The leader is gone: stragglers in its group (background grandchildren) go with it, so a
        // turn never leaves processes behind and the pipes close.
        killGroup(child.pid, 'SIGKILL');
        liveGroups.delete(child.pid);
      }
    });
    child.on('close', (exitCode, signal) => {
      switch (stopReason) {
        case 'timeout':
          return finish({ kind: 'timeout', stderr });
        case 'cancelled':
          return finish({ kind: 'cancelled', stderr });
        case 'line_too_long':
          return finish({ kind: 'line_too_long', stderr });
        case 'line_rejected':
          return finish({ kind: 'line_rejected', error: lineError, stderr });
        default:
          return finish({ kind: 'exited', exitCode, signal, stderr });
      }
    });
  });
}
