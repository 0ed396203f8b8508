import type { Stores, StoreSet } from '@integration/contracts';
import { Journal } from './journal';
import { MemoryAuthStore } from './memory-auth';
import { MemoryDispatchStore } from './memory-dispatch';
import { MemoryIngressStore } from './memory-ingress';
import { MemoryLedgerStore } from './memory-ledger';
import { MemoryRouteStore } from './memory-routes';
import AsyncLock from 'async-lock';
import { MemoryState } from './state';

/** Store views bound to a journal, created on first use (most transactions touch one or two). */
function storeSet(state: MemoryState, journal: Journal | null, locks: AsyncLock): StoreSet {
  let auth: MemoryAuthStore | undefined;
  let ledger: MemoryLedgerStore | undefined;
  let ingress: MemoryIngressStore | undefined;
  let dispatch: MemoryDispatchStore | undefined;
  let routes: MemoryRouteStore | undefined;
  return {
    get auth() {
      return (auth ??= new MemoryAuthStore(state, journal, locks));
    },
    get ledger() {
      return (ledger ??= new MemoryLedgerStore(state, journal));
    },
    get ingress() {
      return (ingress ??= new MemoryIngressStore(state, journal));
    },
    get dispatch() {
      return (dispatch ??= new MemoryDispatchStore(state, journal));
    },
    get routes() {
      return (routes ??= new MemoryRouteStore(state, journal));
    },
  };
}

/**
 * The in-memory tier: the default for tests and single-process use. Transactions are serialised
 * and all-or-nothing (an undo journal reverses every write of a transaction that throws).
 */
export function memoryStores(): Stores {
  const state = new MemoryState();
  const locks = new AsyncLock({ maxPending: Infinity });
  const base = storeSet(state, null, locks);
  let closed = false;
  return {
    tier: 'memory',
    capabilities: { serializedTransactions: true },
    auth: base.auth,
    ledger: base.ledger,
    ingress: base.ingress,
    dispatch: base.dispatch,
    routes: base.routes,
    async transaction<T>(fn: (tx: StoreSet) => Promise<T>): Promise<T> {
      return state.mutex.runExclusive(async () => {
        const journal = new Journal();
        try {
          const result = await fn(storeSet(state, journal, locks));
          journal.commit();
          return result;
        } catch (error) {
          journal.rollback();
          throw error;
        }
      });
    },
    async migrate() {},
    async close() {
      if (closed) return;
      closed = true;
      state.notifyWork();
    },
  };
}
