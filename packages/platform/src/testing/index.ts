export { storeTiers, postgresProblem, DEFAULT_PG_URL, type StoreTierFactory, type TierInstance } from './store-tiers';
export { platformInternals, type PlatformInternals } from '../internals';
export { durableRecordsText } from './durable-records';
