import { TurnBatcher, type StoreSet, type Stores } from '@integration/contracts';

type Body = (tx: StoreSet) => Promise<unknown>;

/**
 * Group commit for admissions: bodies that arrive in one event-loop turn (or while the previous
 * shared transaction commits) run in turn inside one transaction, each seeing the earlier ones'
 * writes, so same-key deliveries in one batch still deduplicate. If the shared transaction fails,
 * each body runs again in a transaction of its own. Worth it where commits are serialised anyway.
 */
export function groupCommitter(stores: Stores, maxBatch: number): <T>(body: (tx: StoreSet) => Promise<T>) => Promise<T> {
  const batcher = new TurnBatcher<Body, unknown>({
    maxBatch,
    runAlone: (body) => stores.transaction(body),
    runBatch: (bodies) =>
      stores.transaction(async (tx) => {
        const outcomes = [];
        for (const body of bodies) outcomes.push({ ok: true as const, value: await body(tx) });
        return outcomes;
      }),
  });
  return <T>(body: (tx: StoreSet) => Promise<T>) => batcher.submit(body) as Promise<T>;
}
