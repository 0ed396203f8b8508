import { frozenJsonCopy } from '@integration/contracts';

/** Undo log of a memory transaction: every write records how to reverse itself. */
export class Journal {
  private readonly undo: Array<() => void> = [];
  private readonly effects: Array<() => void> = [];

  record(inverse: () => void): void {
    this.undo.push(inverse);
  }

  /** Defers a side effect (waking queue waiters) until the transaction commits. */
  onCommit(effect: () => void): void {
    this.effects.push(effect);
  }

  commit(): void {
    this.undo.length = 0;
    for (const effect of this.effects.splice(0)) effect();
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i -= 1) this.undo[i]!();
    this.undo.length = 0;
    this.effects.length = 0;
  }
}

/** Sets `map[key]`, journaling the previous value (or absence). */
export function journaledSet<K, V>(journal: Journal | null, map: Map<K, V>, key: K, value: V): void {
  if (journal) {
    const had = map.has(key);
    const previous = map.get(key);
    journal.record(() => (had ? map.set(key, previous as V) : map.delete(key)));
  }
  map.set(key, value);
}

/** Sets `target[key]`, journaling the previous value. */
export function journaledAssign<T extends object, K extends keyof T>(journal: Journal | null, target: T, key: K, value: T[K]): void {
  if (journal) {
    const previous = target[key];
    journal.record(() => {
      target[key] = previous;
    });
  }
  target[key] = value;
}

export function journaledDelete<K, V>(journal: Journal | null, map: Map<K, V>, key: K): boolean {
  if (!map.has(key)) return false;
  const previous = map.get(key) as V;
  journal?.record(() => map.set(key, previous));
  return map.delete(key);
}

export function journaledPush<T>(journal: Journal | null, list: T[], ...items: T[]): void {
  const length = list.length;
  journal?.record(() => {
    list.length = length;
  });
  list.push(...items);
}

/**
 * Records are stored as frozen deep copies with JSON semantics (what a durable tier would
 * round-trip), so reads can share them without copying. Frozen input is shared as it is.
 */
export function copy<T>(value: T): T {
  // A list handed back to a caller stays sortable; the records in it are frozen.
  if (Array.isArray(value)) return value.map((item) => frozenJsonCopy(item) ?? null) as T;
  return frozenJsonCopy(value);
}
