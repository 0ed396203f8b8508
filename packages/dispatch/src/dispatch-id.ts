import type { Run } from '@integration/contracts';

/**
 * `disp_` + the admitted run's id: one job per admission, the same in every process. A duplicate
 * delivery is answered with the original run (its dedupe scope is reserved), so it maps to the
 * original job; after the reservation's TTL the same scope admits a new run and gets a new job.
 * Run ids are time-ordered, so new jobs append to the jobs index instead of landing at random.
 */
export function dispatchIdFor(run: Pick<Run, 'runId'>): string {
  return `disp_${run.runId}`;
}
