import { randomUUID } from 'node:crypto';
import type { DispatchJob } from '@integration/contracts';

/**
 * A job this worker claimed, and the lease owner it was claimed under: the store fences the
 * claim's heartbeats (which renew its lease) and its settle on that owner.
 */
export interface Claim {
  job: DispatchJob;
  leaseOwner: string;
}

/**
 * Mints a fresh lease owner per claim call, `<workerId>#<instance>.<claim>`. Stores fence
 * heartbeat and settle on the owner string (`lockedBy`). Were it the worker id, a worker that let a
 * claim's lease expire and then claimed the same job again would pass the fence with both
 * deliveries, and the stale one could settle the job under the newer one. The per-instance tag
 * keeps two worker instances given the same workerId (a restart overlapping a stalled
 * predecessor) apart as well.
 */
export function leaseOwners(workerId: string): () => string {
  const instance = randomUUID().slice(0, 8);
  let claims = 0;
  return () => `${workerId}#${instance}.${(claims += 1)}`;
}
