/**
 * What a `Stores` implementation declares about how it behaves, so callers choose a strategy from
 * behaviour, never from the implementation's name. Every tier, built in or outside, declares each.
 */
export interface StoreCapabilities {
  /**
   * Transactions run one at a time: a transaction started while another is open waits for it
   * (one writer, e.g. one SQLite file or one process's memory). Concurrent callers then queue
   * anyway, so sharing one transaction among them (group commit) saves a commit per caller. False
   * where transactions run in parallel (a connection pool), where sharing one would serialise
   * work that could overlap and only add latency.
   */
  readonly serializedTransactions: boolean;
}
