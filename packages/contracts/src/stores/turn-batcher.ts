import { setImmediate as nextTurn } from 'node:timers/promises';

/** What one input of a batch came to. */
export type BatchOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface TurnBatcherOptions<I, R> {
  /**
   * Runs a batch of two or more inputs and returns one outcome per input, in order. Throwing
   * fails the whole batch: each of its inputs then runs alone, so one bad input never fails its
   * neighbours.
   */
  runBatch(inputs: I[]): Promise<Array<BatchOutcome<R>>>;
  /** Runs one input by itself: a batch of one, or each input of a batch that threw. */
  runAlone(input: I): Promise<R>;
  /** Most inputs one batch takes; later ones go in the next batch. */
  maxBatch: number;
  /** Inputs with the same key never share a batch (one statement cannot hold a key twice). */
  keyOf?(input: I): string;
  /**
   * Where each batch runs, entered when its first input arrives and held until it settles (a
   * file's FIFO mutex, say), so that work issued after that input queues behind the batch.
   * Default: batches run one at a time, in the order they opened.
   */
  hold?(run: () => Promise<void>): Promise<void>;
}

interface Waiting<I, R> {
  input: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: calls that arrive in the same event-loop turn (or while the batch before theirs
 * is still running) share one batch, so they pay one commit or one round trip instead of one
 * each. Nothing waits for a batch to fill: a batch closes on the turn after its first call.
 */
export class TurnBatcher<I, R> {
  private open: { waiting: Array<Waiting<I, R>>; keys: Set<string> } | null = null;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: TurnBatcherOptions<I, R>) {}

  submit(input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const key = this.options.keyOf?.(input);
      let batch = this.open;
      if (!batch || batch.waiting.length >= this.options.maxBatch || (key !== undefined && batch.keys.has(key))) {
        batch = this.schedule();
      }
      if (key !== undefined) batch.keys.add(key);
      batch.waiting.push({ input, resolve, reject });
    });
  }

  private schedule(): { waiting: Array<Waiting<I, R>>; keys: Set<string> } {
    const batch = { waiting: [] as Array<Waiting<I, R>>, keys: new Set<string>() };
    this.open = batch;
    const run = async () => {
      // Calls issued in the turn that opened the batch (or while it waited its turn) join it.
      await nextTurn();
      if (this.open === batch) this.open = null;
      await this.settle(batch.waiting);
    };
    // A run that throws where no call expected it must not leave its callers waiting.
    const guarded = () => run().catch((error: unknown) => batch.waiting.forEach((item) => item.reject(error)));
    if (this.options.hold) void this.options.hold(guarded).catch((error: unknown) => batch.waiting.forEach((item) => item.reject(error)));
    else this.tail = this.tail.then(guarded);
    return batch;
  }

  private async settle(waiting: Array<Waiting<I, R>>): Promise<void> {
    if (waiting.length === 1) return this.alone(waiting[0]!);
    let outcomes: Array<BatchOutcome<R>>;
    try {
      outcomes = await this.options.runBatch(waiting.map((item) => item.input));
    } catch {
      for (const item of waiting) await this.alone(item);
      return;
    }
    waiting.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) item.resolve(outcome.value);
      else item.reject(outcome ? outcome.error : new Error('the batch returned no outcome for this call'));
    });
  }

  private async alone(item: Waiting<I, R>): Promise<void> {
    try {
      item.resolve(await this.options.runAlone(item.input));
    } catch (error) {
      item.reject(error);
    }
  }
}
