/** Test kits for store adapter authors: the writes of one invoke, and how to recognise a torn run. */
export * from './invoke-writes';
export * from './records';
export * from './runtime-context';
