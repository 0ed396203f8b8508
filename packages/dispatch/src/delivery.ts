import type { Clock, DispatchJob, Logger } from '@integration/contracts';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { classifyFailure, type Outcome } from './classify';
import type { Delivery } from './held-claims';
import type { Settler } from './settler';
import { publish } from './telemetry';
import type { RunExecutor } from './worker-options';
import type { DispatchWorkerStats } from './worker-stats';

export interface DelivererOptions {
  executor: RunExecutor;
  /** Extra executeRun options per job (merged over the job's stored executeOptions). */
  executeOptions?: (job: DispatchJob) => Record<string, unknown>;
  settler: Settler;
  stats: DispatchWorkerStats;
  backoff: BackoffPolicy;
  random: () => number;
  clock: Clock;
  logger: Logger;
}

/** Runs claimed jobs through executeRun and settles what came of each. */
export class Deliverer {
  constructor(private readonly options: DelivererOptions) {}

  /** Runs the job, frees its slot (`executed`) and settles the outcome. */
  async deliver(delivery: Delivery, executed: () => void): Promise<void> {
    const { job } = delivery.claim;
    const outcome = await this.execute(job, delivery.controller.signal);
    // The slot is free once executeRun returns: the next job starts while this outcome is settled
    // (the job stays claimed and heartbeated until then, and stop() still waits for it).
    delivery.executed = true;
    executed();
    await this.settleOutcome(delivery, outcome);
  }

  private async execute(job: DispatchJob, signal: AbortSignal): Promise<Outcome> {
    const { executor, executeOptions, clock } = this.options;
    try {
      const recovered = job.lastError?.stage === 'recovery';
      await executor.executeRun(
        job.runId,
        { ...job.executeOptions, tenantId: job.tenantId, ...(recovered ? { allowRunning: true } : {}), ...executeOptions?.(job) },
        { signal },
      );
      return { kind: 'completed', recovered: false };
    } catch (error) {
      return classifyFailure(error, job.attempts, job.maxAttempts, clock.now());
    }
  }

  private async settleOutcome(delivery: Delivery, outcome: Outcome): Promise<void> {
    const { settler, stats, clock, logger } = this.options;
    const { job } = delivery.claim;
    const now = clock.now();
    if (outcome.kind === 'completed') {
      const settled = await settler.settle(delivery, { status: 'completed', at: now });
      if (!settled) return;
      stats.completed += 1;
      if (outcome.recovered) stats.recovered += 1;
      publish('deliver', settled, { attempt: job.attempts, recovered: outcome.recovered });
    } else if (outcome.kind === 'retry') {
      const backoffMs = backoffDelay(job.attempts, this.options.backoff, this.options.random, outcome.retryAfterMs);
      const settled = await settler.settle(delivery, { status: 'retry_scheduled', availableAt: now + backoffMs, error: outcome.error, at: now });
      if (!settled) return;
      stats.retried += 1;
      publish('retry', settled, { attempt: job.attempts, backoffMs });
    } else {
      const settled = await settler.settle(delivery, { status: 'dead_lettered', error: outcome.error, at: now });
      if (!settled) return;
      stats.deadLettered += 1;
      publish('dead_letter', settled, { attempts: job.attempts });
      logger.warn({ dispatchId: job.dispatchId, code: outcome.error.code, attempts: job.attempts }, 'job dead-lettered');
    }
  }
}
