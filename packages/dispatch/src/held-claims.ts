import type { Logger } from '@integration/contracts';
import type { Claim } from './claim';
import type { DispatchWorkerStats } from './worker-stats';

/** One claimed job being delivered. */
export interface Delivery {
  claim: Claim;
  controller: AbortController;
  /** Set when the claim was lost or the job was released: its outcome must not be settled. */
  abandoned: boolean;
  /** executeRun has returned; the outcome is being settled (the settle's fence decides ownership). */
  executed: boolean;
  done: Promise<void>;
}

/** The claims of one lease owner, grouped for one heartbeat. */
export interface OwnerClaims {
  buffered: Claim[];
  delivering: Delivery[];
}

/**
 * Every claim a worker holds: prefetched ones waiting for a slot and the deliveries not finished
 * yet (a stale delivery, whose claim was lost, may share its job with a newer one). Decides what
 * happens when the store stops granting one of them.
 */
export class HeldClaims {
  /** Claimed, not yet started (prefetch). */
  readonly buffered: Claim[] = [];
  readonly deliveries = new Set<Delivery>();

  constructor(
    private readonly stats: DispatchWorkerStats,
    private readonly logger: Logger,
  ) {}

  /** The delivery no longer owns its job: abort it and drop its outcome. Idempotent. */
  lose(delivery: Delivery, reason: string): void {
    if (delivery.abandoned) return;
    delivery.abandoned = true;
    this.stats.lostClaims += 1;
    delivery.controller.abort(new Error('dispatch claim lost'));
    const { job, leaseOwner } = delivery.claim;
    this.logger.warn({ dispatchId: job.dispatchId, leaseOwner, reason }, 'claim lost; delivery abandoned');
  }

  /**
   * The store no longer grants a claim, wherever its job is now: still buffered, or launched
   * since. A delivery still executing is stopped at once; one already settling is left to its
   * settle, whose fence tells a lost claim from a job it has just settled itself (and counts the
   * loss).
   */
  refuse(claim: Claim, reason: string): void {
    const at = this.buffered.indexOf(claim);
    if (at >= 0) {
      this.buffered.splice(at, 1);
      this.stats.lostClaims += 1;
      return;
    }
    for (const delivery of this.deliveries) if (delivery.claim === claim) this.refuseDelivery(delivery, reason);
  }

  refuseDelivery(delivery: Delivery, reason: string): void {
    if (!delivery.executed) this.lose(delivery, reason);
  }

  /**
   * A claim returned a job this worker still holds under an older lease owner: the store hands out
   * only due jobs, so that claim's lease expired (or it was settled), and the older delivery or
   * buffered copy must not run on or settle.
   */
  supersede(dispatchId: string): void {
    for (const delivery of this.deliveries) if (delivery.claim.job.dispatchId === dispatchId) this.refuseDelivery(delivery, 'claimed again');
    for (const claim of this.buffered.filter((c) => c.job.dispatchId === dispatchId)) this.refuse(claim, 'claimed again');
  }

  /** The live claims by lease owner: each claim's jobs are fenced on the owner they were claimed with. */
  byLeaseOwner(): Map<string, OwnerClaims> {
    const groups = new Map<string, OwnerClaims>();
    const group = (owner: string) => groups.get(owner) ?? groups.set(owner, { buffered: [], delivering: [] }).get(owner)!;
    for (const claim of this.buffered) group(claim.leaseOwner).buffered.push(claim);
    for (const delivery of this.deliveries) if (!delivery.abandoned) group(delivery.claim.leaseOwner).delivering.push(delivery);
    return groups;
  }

  /** Empties the buffer, returning what it held. */
  takeBuffered(): Claim[] {
    return this.buffered.splice(0, this.buffered.length);
  }
}
