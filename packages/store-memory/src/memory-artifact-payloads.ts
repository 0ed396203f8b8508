import type { ArtifactPayloadStore } from '@integration/contracts';

/** An in-memory ArtifactPayloadStore (tests, single-process use). Stores copies of the bytes. */
export function memoryArtifactPayloads(name = 'memory'): ArtifactPayloadStore & { keys(): string[] } {
  const blobs = new Map<string, Uint8Array>();
  return {
    name,
    async put(key, bytes) {
      blobs.set(key, new Uint8Array(bytes));
    },
    async get(key) {
      const bytes = blobs.get(key);
      return bytes ? new Uint8Array(bytes) : null;
    },
    keys: () => [...blobs.keys()].sort(),
  };
}
