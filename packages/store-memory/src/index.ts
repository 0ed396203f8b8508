export { memoryStores } from './memory-stores';
export { memoryArtifactPayloads } from './memory-artifact-payloads';
