/** The store tiers the async-path suites run on (dispatch, ingress, webhook router): those available here. */
import { sqliteStores } from '@integration/store-local';
import { postgresStores } from '@integration/store-postgres';
import { storeTiers, type StoreTierFactory, type TierInstance } from '@integration/test-kit';

export type Tier = StoreTierFactory;
export type TierHandle = TierInstance;

export async function availableTiers(label: string): Promise<Tier[]> {
  const tiers = await storeTiers({ sqlite: sqliteStores, postgres: postgresStores }, { label: label.replace(/-/g, '_') });
  return tiers.filter((tier) => tier.unavailable === null);
}
