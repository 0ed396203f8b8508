/**
 * Crash recovery with real processes: three worker processes on Postgres drain 2,000 jobs while one
 * of them is SIGKILLed again and again. Every job completes, every run has exactly one completed
 * attempt, the re-executions are bounded by the jobs the killed workers held at their death, and
 * every attempt a killed worker left open is closed as `lost`.
 */
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ask, forkTs } from './support/child';

const agentScript = fileURLToPath(new URL('./scenarios/crash-agent.ts', import.meta.url));
const workerScript = fileURLToPath(new URL('./scenarios/crash-worker.ts', import.meta.url));
const JOBS = Number(process.env.CRASH_JOBS ?? 2_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(schema: string, workerId: string): Promise<ChildProcess> {
  const child = forkTs(workerScript, { CRASH_SCHEMA: schema, CRASH_WORKER_ID: workerId, CRASH_CONCURRENCY: '8' });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${workerId}] ${d}`));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker ${workerId} exited early (${code})`)));
  });
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

describe('dispatch crash recovery (3 worker processes, Postgres, repeated SIGKILL)', () => {
  it(`every one of ${JOBS} jobs completes exactly once in the ledger`, async () => {
    const schema = `t_crash_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const agent = forkTs(agentScript);
    agent.stderr?.on('data', (d: Buffer) => process.stderr.write(`[agent] ${d}`));
    const workers: ChildProcess[] = [];
    try {
      const init = await ask<{ ready?: boolean; skipped?: string }>(agent, { cmd: 'init', schema });
      if (init.skipped) {
        if (process.env.CI === 'true') throw new Error(`Postgres required under CI: ${init.skipped}`);
        console.warn(`[crash-recovery] skipped: ${init.skipped}`);
        return;
      }
      await ask(agent, { cmd: 'seed', count: JOBS, sleepMs: 15 }, 300_000);
      workers.push(await startWorker(schema, 'stable-1'), await startWorker(schema, 'stable-2'));
      let victimId = 'victim-0';
      let victim = await startWorker(schema, victimId);
      let kills = 0;
      let heldAtDeath = 0;
      const deaths: number[] = [];
      for (let round = 1; round <= 12; round += 1) {
        await sleep(700);
        victim.kill('SIGKILL');
        await exited(victim);
        const held = await ask<string[]>(agent, { cmd: 'lockedBy', workerId: victimId });
        heldAtDeath += held.length;
        deaths.push(held.length);
        kills += 1;
        const progress = await ask<Record<string, number>>(agent, { cmd: 'progress' });
        if ((progress.completed ?? 0) >= JOBS) break;
        victimId = `victim-${round}`;
        victim = await startWorker(schema, victimId);
      }
      if (victim.exitCode === null && victim.signalCode === null) workers.push(victim);
      const deadline = Date.now() + 240_000;
      for (;;) {
        const progress = await ask<Record<string, number>>(agent, { cmd: 'progress' });
        if ((progress.completed ?? 0) >= JOBS) break;
        if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(progress)}`);
        await sleep(500);
      }
      // Graceful shutdown on SIGTERM: each surviving worker stops, closes its stores and exits 0.
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map(exited));
      expect(workers.map((w) => w.exitCode)).toEqual(workers.map(() => 0));
      const report = await ask<Record<string, any>>(agent, { cmd: 'report' }, 300_000);
      console.info('[crash-recovery]', JSON.stringify({ kills, deaths, heldAtDeath, ...report }));

      expect(kills).toBeGreaterThanOrEqual(3);
      expect(deaths.some((n) => n > 0)).toBe(true);
      expect(report.jobs).toBe(JOBS);
      expect(report.jobStatuses).toEqual({ completed: JOBS });
      expect(report.runs).toBe(JOBS);
      expect(report.runStatuses).toEqual({ completed: JOBS });
      expect(report.completedAttemptsPerRun).toEqual({ 1: JOBS });
      // At-least-once re-execution is bounded by what the killed workers held when they died.
      expect(report.attempts - JOBS).toBeLessThanOrEqual(heldAtDeath);
      // Every attempt a killed worker left open was closed as lost when its successor started: no
      // completed run keeps a live attempt, and each lost one says so in an event.
      expect(report.abandonedAttempts).toBe(0);
      expect(report.attemptStatuses.lost ?? 0).toBe(report.attempts - JOBS - (report.attemptStatuses.failed ?? 0));
      expect(report.lostEvents).toBe(report.attemptStatuses.lost ?? 0);
    } finally {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
      await ask(agent, { cmd: 'close' }).catch(() => {});
      await exited(agent);
    }
  }, 600_000);
});
