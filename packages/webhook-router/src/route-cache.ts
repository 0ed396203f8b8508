import type { Clock, WebhookRoute } from '@integration/contracts';

/**
 * A short-lived in-process cache (route lookups, opened secrets, built definitions). Entries live
 * `ttlMs`; writes made through the same router clear it at once, writes from other processes are
 * seen within `ttlMs`. `ttlMs` 0 disables caching.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = await load();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

export const routeVersion = (route: WebhookRoute) => `${route.routeId}@${route.revision}@${route.updatedAt}`;
