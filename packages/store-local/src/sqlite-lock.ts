import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqliteHandle } from './sqlite-handle';

export interface LockOptions {
  /** How long a held lock row stays valid without renewal (a crashed holder frees it after this). */
  ttlMs: number;
  /** How often a waiting process re-checks the lock row. */
  pollMs: number;
}

/**
 * A cross-process named lock on one SQLite file: a row in `auth_locks` taken in an IMMEDIATE
 * transaction when absent or expired, renewed every ttl/3 while held, deleted on release. Within
 * one process a keyed mutex queues callers first, so only one of them polls the row.
 */
export async function withRowLock<T>(
  h: SqliteHandle,
  run: <R>(fn: () => R) => Promise<R>,
  key: string,
  options: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  return h.locks.acquire(key, async () => {
    const owner = randomUUID();
    for (;;) {
      const taken = await run(() =>
        h.atomic(() => {
          const now = Date.now();
          const row = h.stmt('SELECT owner, expires_at_ms FROM auth_locks WHERE lock_key = ?').get(key) as
            | { owner: string; expires_at_ms: number }
            | undefined;
          if (row && row.expires_at_ms > now) return false;
          h.stmt(
            `INSERT INTO auth_locks (lock_key, owner, expires_at_ms) VALUES (?, ?, ?)
             ON CONFLICT (lock_key) DO UPDATE SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms`,
          ).run(key, owner, now + options.ttlMs);
          return true;
        }),
      );
      if (taken) break;
      await sleep(options.pollMs);
    }
    const renew = setInterval(() => {
      if (h.isClosed) return;
      void run(() =>
        h.stmt('UPDATE auth_locks SET expires_at_ms = ? WHERE lock_key = ? AND owner = ?').run(Date.now() + options.ttlMs, key, owner),
      ).catch(() => undefined);
    }, Math.max(10, Math.floor(options.ttlMs / 3)));
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      if (!h.isClosed) {
        await run(() => h.stmt('DELETE FROM auth_locks WHERE lock_key = ? AND owner = ?').run(key, owner)).catch(() => undefined);
      }
    }
  });
}
