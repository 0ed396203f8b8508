interface Waiting<I, R> {
  key: string;
  input: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for autocommit calls: one statement at a time (`run` over the inputs of every call
 * waiting for it), so calls that arrive while a statement is committing share the next one (one
 * round trip and one commit instead of one each) and every caller receives the shared result to
 * read its own part. Nothing waits for a batch to fill: an idle batcher sends on the next
 * event-loop turn whatever arrived in the current one. An input whose key is already in the batch
 * goes in the next one, so a statement never holds one key twice. When a shared statement fails,
 * each input is retried alone, so one bad input never fails its neighbours.
 */
export class TurnBatcher<I, R> {
  private waiting: Array<Waiting<I, R>> = [];
  /** A statement is scheduled or in flight; new calls join the next one. */
  private busy = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<R>,
    private readonly maxBatch = 200,
  ) {}

  submit(key: string, input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ key, input, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch: Array<Waiting<I, R>> = [];
      const keys = new Set<string>();
      const later: Array<Waiting<I, R>> = [];
      for (const item of this.waiting) {
        if (batch.length < this.maxBatch && !keys.has(item.key)) {
          keys.add(item.key);
          batch.push(item);
        } else {
          later.push(item);
        }
      }
      this.waiting = later;
      await this.execute(batch);
    }
    this.busy = false;
  }

  private async execute(batch: Array<Waiting<I, R>>): Promise<void> {
    try {
      const result = await this.run(batch.map((item) => item.input));
      for (const item of batch) item.resolve(result);
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      await Promise.all(
        batch.map(async (item) => {
          try {
            item.resolve(await this.run([item.input]));
          } catch (alone) {
            item.reject(alone);
          }
        }),
      );
    }
  }
}
