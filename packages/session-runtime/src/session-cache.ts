import { ValidationError, type Clock } from '@integration/contracts';

export type EvictionReason = 'expired' | 'capacity' | 'failed' | 'closed';

export interface SessionCacheOptions {
  /** Idle time after which a session is stopped instead of reused. Default 15 minutes. */
  ttlMs?: number;
  /** Most sessions kept open; the least recently used one is stopped beyond it. Default 64. */
  maxSessions?: number;
}

interface Slot<V> {
  value: V;
  lastUsedAt: number;
}

/**
 * An LRU map with idle TTL, driven by the injected clock. Evicted values are handed to `onEvict`
 * (which stops the session); eviction never throws into the caller.
 */
export class SessionCache<V> {
  readonly ttlMs: number;
  readonly maxSessions: number;
  private readonly slots = new Map<string, Slot<V>>();

  constructor(
    options: SessionCacheOptions,
    private readonly clock: Clock,
    private readonly onEvict: (key: string, value: V, reason: EvictionReason) => Promise<void>,
    /** Values in use are never evicted for capacity or age; the cache may briefly exceed its bound. */
    private readonly isBusy: (value: V) => boolean = () => false,
  ) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxSessions = options.maxSessions ?? 64;
    if (!(this.ttlMs > 0)) throw new ValidationError('invalid_argument', 'cache.ttlMs must be positive');
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) throw new ValidationError('invalid_argument', 'cache.maxSessions must be a positive integer');
  }

  get size(): number {
    return this.slots.size;
  }

  keys(): string[] {
    return [...this.slots.keys()];
  }

  /** Returns a live value and marks it most recently used; an expired one is evicted first. */
  async get(key: string): Promise<V | undefined> {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    const now = this.clock.now();
    if (now - slot.lastUsedAt >= this.ttlMs) {
      await this.evict(key, 'expired');
      return undefined;
    }
    this.slots.delete(key);
    slot.lastUsedAt = now;
    this.slots.set(key, slot);
    return slot.value;
  }

  peek(key: string): V | undefined {
    return this.slots.get(key)?.value;
  }

  async set(key: string, value: V): Promise<void> {
    this.slots.delete(key);
    this.slots.set(key, { value, lastUsedAt: this.clock.now() });
    await this.sweep();
    while (this.slots.size > this.maxSessions) {
      const oldest = [...this.slots.entries()].find(([k, slot]) => k !== key && !this.isBusy(slot.value))?.[0];
      if (oldest === undefined) break;
      await this.evict(oldest, 'capacity');
    }
  }

  touch(key: string): void {
    const slot = this.slots.get(key);
    if (slot) slot.lastUsedAt = this.clock.now();
  }

  /** Evicts every expired value. */
  async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const [key, slot] of [...this.slots]) {
      if (now - slot.lastUsedAt >= this.ttlMs && !this.isBusy(slot.value)) await this.evict(key, 'expired');
    }
  }

  async evict(key: string, reason: EvictionReason): Promise<boolean> {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.slots.delete(key);
    try {
      await this.onEvict(key, slot.value, reason);
    } catch {
      // Stopping a session is best effort; the slot is gone either way.
    }
    return true;
  }

  async clear(reason: EvictionReason = 'closed'): Promise<void> {
    for (const key of [...this.slots.keys()]) await this.evict(key, reason);
  }
}
