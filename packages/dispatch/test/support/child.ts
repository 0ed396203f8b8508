import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root (children resolve tsx and workspace sources from there). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

/**
 * Starts a TypeScript file as a real child process under tsx with the `source` condition only, so
 * it loads pg (which cannot load inside vitest's workers) and workspace sources.
 */
export function forkTs(script: string, env: Record<string, string> = {}, silent = true): ChildProcess {
  return fork(script, [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx', '--conditions=source'],
    env: { ...process.env, ...env },
    stdio: silent ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Runs a scenario script to completion; it reports one JSON object through process.send. */
export function runScenario<T>(script: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = forkTs(script, env);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8_000)));
    child.stdout?.on('data', () => {});
    let result: T | undefined;
    child.on('message', (message) => (result = message as T));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scenario ${script} timed out\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolvePromise(result);
      else reject(new Error(`scenario ${script} exited ${code}: ${JSON.stringify(result)}\n${stderr}`));
    });
  });
}

/** Sends a request to a forked agent and waits for the reply with the same id. */
export function ask<T>(child: ChildProcess, command: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
  const id = Math.random().toString(36).slice(2);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not answer ${JSON.stringify(command)}`)), timeoutMs);
    const onMessage = (message: unknown) => {
      const m = message as { id?: string; ok?: boolean; result?: T; error?: string };
      if (m.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (m.ok) resolvePromise(m.result as T);
      else reject(new Error(m.error));
    };
    child.on('message', onMessage);
    child.send({ ...command, id });
  });
}
