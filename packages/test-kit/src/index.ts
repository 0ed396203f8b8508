export { storeTiers, type StoreTierFactory, type StoreTiersOptions, type TierInstance, type TierOpeners } from './store-tiers';
export { PG_URL, dropSchema, postgresProblem, schemaRows, uniqueSchema, withAdmin } from './postgres';
