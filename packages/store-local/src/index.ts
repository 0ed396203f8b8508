export { sqliteStores, SqliteStoresOptionsSchema, type SqliteStoresOptions } from './sqlite-stores';
export { migrations as sqliteMigrations, type Migration as SqliteMigration } from './migrations';
export { checkpointerChannel } from './sqlite-checkpointer';
export { groupCommitChannel } from './sqlite-write-batch';
