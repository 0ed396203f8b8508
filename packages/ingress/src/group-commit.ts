import type { StoreSet, Stores } from '@integration/contracts';

type Body<T> = (tx: StoreSet) => Promise<T>;
interface Pending {
  body: Body<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent admissions that arrive while a transaction is committing share the next
 * one (each body runs in turn inside it and sees the earlier ones' writes, so same-key deliveries in
 * one batch still deduplicate). Nothing waits for a batch to fill: an idle committer starts on the
 * next event-loop turn, taking whatever arrived in the current one.
 * If a shared transaction fails, its bodies are retried one transaction each, so one failure never
 * fails a neighbour. Worth it where commits are serialised anyway (SQLite, memory).
 */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private draining = false;

  constructor(
    private readonly stores: Stores,
    private readonly maxBatch: number,
  ) {}

  run<T>(body: Body<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ body, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        // Start on the next turn of the event loop, so deliveries parsed in this turn join the batch.
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async single(item: Pending): Promise<void> {
    try {
      item.resolve(await this.stores.transaction(item.body));
    } catch (error) {
      item.reject(error);
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        if (batch.length === 1) {
          await this.single(batch[0]!);
          continue;
        }
        let results: unknown[];
        try {
          results = await this.stores.transaction(async (tx) => {
            const out: unknown[] = [];
            for (const item of batch) out.push(await item.body(tx));
            return out;
          });
        } catch {
          for (const item of batch) await this.single(item);
          continue;
        }
        batch.forEach((item, i) => item.resolve(results[i]));
      }
    } finally {
      this.draining = false;
    }
  }
}
