import { isoAt, type Clock, type DispatchStore, type Logger } from '@integration/contracts';
import type { HeldClaims, OwnerClaims } from './held-claims';

export interface ClaimKeeperOptions {
  store: DispatchStore;
  held: HeldClaims;
  clock: Clock;
  leaseMs: number;
  heartbeatMs: number;
  logger: Logger;
}

/**
 * Keeps a worker's claims alive: every `heartbeatMs` it renews each claim's lease for another
 * `leaseMs`, one heartbeat per lease owner. A claim the store no longer grants is refused.
 */
export class ClaimKeeper {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ClaimKeeperOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.heartbeat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async heartbeat(): Promise<void> {
    const groups = this.options.held.byLeaseOwner();
    await Promise.all([...groups].map(([owner, claims]) => this.renew(owner, claims)));
  }

  private async renew(leaseOwner: string, { buffered, delivering }: OwnerClaims): Promise<void> {
    const { store, held, clock, leaseMs, logger } = this.options;
    const ids = [...buffered, ...delivering.map((d) => d.claim)].map((c) => c.job.dispatchId);
    let granted: Set<string>;
    try {
      granted = new Set(await store.heartbeat(ids, leaseOwner, isoAt(clock.now() + leaseMs)));
    } catch (error) {
      logger.warn({ err: error, leaseOwner }, 'heartbeat failed');
      return;
    }
    for (const claim of buffered) if (!granted.has(claim.job.dispatchId)) held.refuse(claim, 'heartbeat refused');
    for (const delivery of delivering) if (!granted.has(delivery.claim.job.dispatchId)) held.refuseDelivery(delivery, 'heartbeat refused');
  }
}
