import type { AuthStore } from './auth-store';
import type { DispatchStore } from './dispatch-store';
import type { IngressStore } from './ingress-store';
import type { LedgerStore } from './ledger-store';
import type { RouteStore } from './route-store';
import type { StoreCapabilities } from './store-capabilities';

/** The store views available inside a transaction. */
export interface StoreSet {
  auth: AuthStore;
  ledger: LedgerStore;
  ingress: IngressStore;
  dispatch: DispatchStore;
  routes: RouteStore;
}

/**
 * One durability tier. Every method of every store is async. `transaction(fn)` runs `fn` with
 * transactional views: all of its writes commit together, or none does if `fn` throws.
 * Failures of the backing store surface as a retryable `store_unavailable` IntegrationError.
 */
export interface Stores extends StoreSet {
  /** A descriptive name for logs and reports (`memory`, `sqlite`, …); code never branches on it. */
  readonly tier: string;
  /** How this implementation behaves; callers choose strategies from these. */
  readonly capabilities: StoreCapabilities;
  transaction<T>(fn: (tx: StoreSet) => Promise<T>): Promise<T>;
  /** Applies pending migrations (idempotent; safe when several processes start at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
