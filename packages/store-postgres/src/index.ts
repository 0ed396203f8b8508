export { postgresStores, PostgresStoresOptionsSchema, SchemaNameSchema, type PostgresStoresOptions } from './postgres-stores';
export { pgMigrations, applyPgMigrations, type PgMigration } from './migrations';
export { advisoryKey } from './lock-key';
