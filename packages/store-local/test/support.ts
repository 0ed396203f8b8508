import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs a TypeScript fixture in a real child node process (tsx, workspace sources). */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves once the child has printed `count` lines matching `pattern` on stdout. */
export function waitForLines(child: ChildProcess, pattern: RegExp, count: number, timeoutMs = 90_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} × ${pattern} (saw ${seen.length}); stderr: ${stderr}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (pattern.test(line)) seen.push(line);
        if (seen.length >= count) {
          clearTimeout(timer);
          resolve(seen);
        }
      }
    });
    child.on('exit', (code) => {
      if (seen.length < count) {
        clearTimeout(timer);
        reject(new Error(`child exited (${code}) after ${seen.length} lines; stderr: ${stderr}`));
      }
    });
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export const tmpFile = (dir: string, name: string) => join(dir, name);
