/** Test kits: the writes of one invoke and how to recognise a torn run (for store adapter authors), and the texts of an error chain (for canary checks). */
export * from './invoke-writes';
export * from './records';
export * from './runtime-context';
export * from './error-chain';
