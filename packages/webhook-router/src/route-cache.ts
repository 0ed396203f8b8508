import { LRUCache } from 'lru-cache';
import type { Clock, WebhookRoute } from '@integration/contracts';

type Load<V> = () => Promise<V>;

/**
 * A short-lived in-process cache (route lists, built definitions). Entries live `ttlMs`; writes
 * made through the same router clear it at once, writes from other processes are seen within
 * `ttlMs`. Concurrent lookups of one key share one load; past `maxEntries` the least recently
 * used entry goes. `ttlMs` 0 disables caching.
 */
export class RouteCache<V extends object> {
  private readonly entries: LRUCache<string, V, Load<V>> | null;

  constructor(ttlMs: number, clock: Clock, maxEntries = 10_000) {
    this.entries =
      ttlMs > 0
        ? new LRUCache<string, V, Load<V>>({
            max: maxEntries,
            ttl: ttlMs,
            // Read the clock on every lookup (the default caches it for a millisecond of real time).
            ttlResolution: 0,
            perf: clock,
            // The loader travels with the lookup: each call site knows how to load its own key.
            fetchMethod: (_key, _stale, { context }) => context(),
          })
        : null;
  }

  async get(key: string, load: Load<V>): Promise<V> {
    if (!this.entries) return load();
    return (await this.entries.fetch(key, { context: load })) as V;
  }

  clear(): void {
    this.entries?.clear();
  }
}

export const routeVersion = (route: WebhookRoute) => `${route.routeId}@${route.revision}@${route.updatedAt}`;
