import { sqliteStores } from '@integration/store-local';
import { postgresStores } from '@integration/store-postgres';
import { postgresProblem as kitPostgresProblem, storeTiers as kitStoreTiers, type StoreTierFactory, type StoreTiersOptions } from '@integration/test-kit';

export { PG_URL as DEFAULT_PG_URL } from '@integration/test-kit';
export type { StoreTierFactory, StoreTiersOptions, TierInstance } from '@integration/test-kit';

/**
 * The three durability tiers as factories, for running one test suite on each: memory, a fresh
 * SQLite file per instance, and a fresh Postgres schema per instance (dropped on cleanup). The
 * Postgres tier reads INTEGRATION_PG_URL; unreachable, it is marked unavailable with a printed
 * notice (and under CI=true, it throws).
 */
export function storeTiers(options: StoreTiersOptions = {}): Promise<StoreTierFactory[]> {
  return kitStoreTiers({ sqlite: sqliteStores, postgres: postgresStores }, { label: 'platform', ...options });
}

/** Why Postgres at `url` cannot be used, or null. Under CI=true an unreachable server throws. */
export const postgresProblem = (url?: string): Promise<string | null> => kitPostgresProblem('store tiers', url);
