/** Counters of one worker's life, from `stats()`. */
export interface DispatchWorkerStats {
  claimed: number;
  completed: number;
  recovered: number;
  retried: number;
  deadLettered: number;
  released: number;
  /** Deliveries (or prefetched jobs) dropped because the store no longer granted their claim. */
  lostClaims: number;
}

export function emptyWorkerStats(): DispatchWorkerStats {
  return { claimed: 0, completed: 0, recovered: 0, retried: 0, deadLettered: 0, released: 0, lostClaims: 0 };
}
