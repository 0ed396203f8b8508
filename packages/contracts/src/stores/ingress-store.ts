import type { CheckpointKey, DedupeScope, TriggerCheckpoint, TriggerRecord } from '../records/trigger';

export interface TriggerFilter {
  tenantId?: string;
  connectorId?: string;
  triggerId?: string;
  status?: TriggerRecord['status'];
  limit?: number;
}

/** Trigger admission truth: dedupe reservations, trigger records and checkpoints. */
export interface IngressStore {
  /**
   * Reserves the dedupe scope until `expiresAt`. An unexpired reservation → `duplicate` (without
   * aborting an enclosing transaction); an expired one is taken over.
   */
  reserveDedupe(scope: DedupeScope, expiresAt: string, now: string): Promise<'reserved' | 'duplicate'>;
  /** Deletes reservations that expired at or before `now`; returns how many. */
  sweepDedupe(now: string): Promise<number>;

  /** Upsert by admissionId. */
  putTrigger(trigger: TriggerRecord): Promise<void>;
  fetchTrigger(admissionId: string): Promise<TriggerRecord | null>;
  /** The newest accepted trigger for a dedupe scope. */
  fetchTriggerByScope(scope: DedupeScope): Promise<TriggerRecord | null>;
  listRunTriggers(runId: string): Promise<TriggerRecord[]>;
  /** Ordered by createdAt, then admissionId. */
  listTriggers(filter?: TriggerFilter): Promise<TriggerRecord[]>;

  /** Upsert by key; the stored revision is 1 on first write and previous + 1 after. Returns the stored record. */
  putCheckpoint(checkpoint: TriggerCheckpoint): Promise<TriggerCheckpoint>;
  fetchCheckpoint(key: CheckpointKey): Promise<TriggerCheckpoint | null>;
}
