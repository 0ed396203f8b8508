export { createStreamRuntime, defaultStreamDrivers, type StreamRuntime, type StreamRuntimeOptions } from './stream-runtime';
export { isStreamSource, streamSessionType, type PullRequest, type PullResult, type StreamSource } from './stream-source';
export { resolveCursor, type CursorStores, type ResolvedCursor } from './cursor-store';
export { partitionKeyOf, streamKeyOf, tenantOf } from './stream-key';
