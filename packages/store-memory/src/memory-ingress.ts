import type { CheckpointKey, DedupeScope, IngressStore, TriggerCheckpoint, TriggerFilter, TriggerRecord } from '@integration/contracts';
import { copy, journaledDelete, journaledSet } from './journal';
import { MemoryAccess, scopeKey } from './state';

const dedupeKeyOf = (s: DedupeScope) => scopeKey([s.tenantId, s.connectorId, s.triggerId, s.dedupeKey]);
const checkpointKeyOf = (k: CheckpointKey) => scopeKey([k.tenantId, k.connectorId, k.triggerId, k.partitionKey]);

export class MemoryIngressStore extends MemoryAccess implements IngressStore {
  reserveDedupe(scope: DedupeScope, expiresAt: string, now: string): Promise<'reserved' | 'duplicate'> {
    return this.guard(() => {
      const key = dedupeKeyOf(scope);
      const existing = this.state.dedupe.get(key);
      if (existing !== undefined && existing > now) return 'duplicate';
      journaledSet(this.journal, this.state.dedupe, key, expiresAt);
      return 'reserved';
    });
  }

  sweepDedupe(now: string): Promise<number> {
    return this.guard(() => {
      let removed = 0;
      for (const [key, expiresAt] of [...this.state.dedupe]) {
        if (expiresAt <= now && journaledDelete(this.journal, this.state.dedupe, key)) removed += 1;
      }
      return removed;
    });
  }

  putTrigger(trigger: TriggerRecord): Promise<void> {
    return this.guard(() => journaledSet(this.journal, this.state.triggers, trigger.admissionId, copy(trigger)));
  }

  fetchTrigger(admissionId: string): Promise<TriggerRecord | null> {
    return this.guard(() => copy(this.state.triggers.get(admissionId) ?? null));
  }

  fetchTriggerByScope(scope: DedupeScope): Promise<TriggerRecord | null> {
    return this.guard(() => {
      let newest: TriggerRecord | null = null;
      for (const t of this.state.triggers.values()) {
        if (
          t.status === 'accepted' &&
          t.tenantId === scope.tenantId &&
          t.connectorId === scope.connectorId &&
          t.triggerId === scope.triggerId &&
          t.dedupeKey === scope.dedupeKey &&
          (!newest || t.createdAt > newest.createdAt || (t.createdAt === newest.createdAt && t.admissionId > newest.admissionId))
        ) {
          newest = t;
        }
      }
      return copy(newest);
    });
  }

  listRunTriggers(runId: string): Promise<TriggerRecord[]> {
    return this.listTriggersWhere((t) => t.runId === runId);
  }

  listTriggers(filter: TriggerFilter = {}): Promise<TriggerRecord[]> {
    return this.listTriggersWhere(
      (t) =>
        (!filter.tenantId || t.tenantId === filter.tenantId) &&
        (!filter.connectorId || t.connectorId === filter.connectorId) &&
        (!filter.triggerId || t.triggerId === filter.triggerId) &&
        (!filter.status || t.status === filter.status),
      filter.limit,
    );
  }

  private listTriggersWhere(predicate: (t: TriggerRecord) => boolean, limit?: number): Promise<TriggerRecord[]> {
    return this.guard(() => {
      const list = [...this.state.triggers.values()]
        .filter(predicate)
        .sort((a, b) => (a.createdAt === b.createdAt ? (a.admissionId < b.admissionId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
      return copy(limit ? list.slice(0, limit) : list);
    });
  }

  putCheckpoint(checkpoint: TriggerCheckpoint): Promise<TriggerCheckpoint> {
    return this.guard(() => {
      const key = checkpointKeyOf(checkpoint);
      const previous = this.state.checkpoints.get(key);
      const stored: TriggerCheckpoint = copy({ ...checkpoint, revision: previous ? previous.revision + 1 : 1 });
      journaledSet(this.journal, this.state.checkpoints, key, stored);
      return copy(stored);
    });
  }

  fetchCheckpoint(key: CheckpointKey): Promise<TriggerCheckpoint | null> {
    return this.guard(() => copy(this.state.checkpoints.get(checkpointKeyOf(key)) ?? null));
  }
}
