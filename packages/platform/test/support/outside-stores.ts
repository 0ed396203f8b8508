import type { StoreCapabilities, StoreSet, Stores } from '@integration/contracts';

/** A `Stores` the platform has never heard of, and how it was used. */
export interface OutsideStores extends Stores {
  /** Transactions opened so far (a group commit opens one for many callers). */
  readonly transactions: number;
}

/**
 * A fourth tier from outside the platform: it delegates every store to `inner` but carries its
 * own name and declares its own capabilities, so any code that picks behaviour from the tier's
 * name instead of from `capabilities` treats it wrongly.
 */
export function outsideStores(inner: Stores, capabilities: StoreCapabilities, tier = 'wrapped-memory'): OutsideStores {
  let transactions = 0;
  return {
    tier,
    capabilities,
    get transactions() {
      return transactions;
    },
    get auth() {
      return inner.auth;
    },
    get ledger() {
      return inner.ledger;
    },
    get ingress() {
      return inner.ingress;
    },
    get dispatch() {
      return inner.dispatch;
    },
    get routes() {
      return inner.routes;
    },
    transaction<T>(fn: (tx: StoreSet) => Promise<T>): Promise<T> {
      transactions += 1;
      return inner.transaction(fn);
    },
    migrate: () => inner.migrate(),
    close: () => inner.close(),
  };
}
