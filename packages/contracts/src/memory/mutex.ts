/** A FIFO async mutex: transactions hold it; plain calls wait only while one is open. */
export class Mutex {
  private queue: Array<() => void> = [];
  private locked = false;

  get held(): boolean {
    return this.locked;
  }

  async acquire(): Promise<() => void> {
    if (this.locked) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.locked = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.locked = false;
    };
  }

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** One mutex per key, created on demand and dropped when idle. */
export class KeyedMutex {
  private readonly locks = new Map<string, { mutex: Mutex; users: number }>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let entry = this.locks.get(key);
    if (!entry) {
      entry = { mutex: new Mutex(), users: 0 };
      this.locks.set(key, entry);
    }
    entry.users += 1;
    try {
      return await entry.mutex.run(fn);
    } finally {
      entry.users -= 1;
      if (entry.users === 0) this.locks.delete(key);
    }
  }
}
