import type { Attempt, CheckpointKey, TriggerCheckpoint } from '@integration/contracts';

/**
 * The store methods the stream runtime needs. Cursors live in the ingress checkpoint table keyed
 * `{ tenantId, connectorId, triggerId: capabilityId, partitionKey: <connection>/<stream key> }`;
 * no table of its own. `ledger.fetchAttempt` (optional) lets a failed attempt's batch be re-read.
 */
export interface CursorStores {
  ingress: {
    putCheckpoint(checkpoint: TriggerCheckpoint): Promise<TriggerCheckpoint>;
    fetchCheckpoint(key: CheckpointKey): Promise<TriggerCheckpoint | null>;
  };
  ledger?: {
    fetchAttempt(attemptId: string): Promise<Attempt | null>;
  };
}

export interface ResolvedCursor {
  cursor: string | null;
  /** initial: no checkpoint; checkpoint: the committed cursor; rollback: the last pull's attempt failed, so its batch is read again. */
  source: 'initial' | 'checkpoint' | 'rollback';
  revision: number;
}

/** Picks the cursor to read after, rolling back over a batch whose attempt failed. */
export async function resolveCursor(stores: CursorStores, key: CheckpointKey, currentAttemptId: string): Promise<ResolvedCursor> {
  const checkpoint = await stores.ingress.fetchCheckpoint(key);
  if (!checkpoint) return { cursor: null, source: 'initial', revision: 0 };
  const attemptId = typeof checkpoint.metadata.attemptId === 'string' ? checkpoint.metadata.attemptId : null;
  if (attemptId && attemptId !== currentAttemptId && stores.ledger) {
    const attempt = await stores.ledger.fetchAttempt(attemptId);
    if (attempt?.status === 'failed') {
      const from = checkpoint.metadata.fromCursor;
      return { cursor: typeof from === 'string' ? from : null, source: 'rollback', revision: checkpoint.revision };
    }
  }
  return { cursor: checkpoint.cursor, source: 'checkpoint', revision: checkpoint.revision };
}
