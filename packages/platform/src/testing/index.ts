export { storeTiers, postgresProblem, DEFAULT_PG_URL, type StoreTierFactory, type TierInstance } from './store-tiers';
