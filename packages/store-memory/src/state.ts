import { Mutex } from 'async-mutex';
import type {
  ArtifactRef,
  Attempt,
  Connection,
  DispatchJob,
  Event,
  Install,
  LeaseRecord,
  Run,
  SealedCredential,
  TargetDescriptor,
  TriggerCheckpoint,
  TriggerRecord,
  WebhookRoute,
} from '@integration/contracts';
import { Journal } from './journal';

export interface RunLedger {
  run: Run | null;
  /** In insertion order. */
  attemptIds: string[];
  /** In insertion order. */
  events: Event[];
  /** Position (`attempt:seq`) → event, built once the run holds more events than a scan should cover. */
  positions: Map<string, Event> | null;
  /** In insertion order. */
  artifactIds: string[];
}

export class MemoryState {
  /** Everything the ledger holds under one run id, so an invoke touches one large map, not five. */
  runLedgers = new Map<string, RunLedger>();
  runOrder: string[] = [];
  idempotency = new Map<string, string>();
  attempts = new Map<string, Attempt>();
  artifacts = new Map<string, ArtifactRef>();
  targets = new Map<string, TargetDescriptor>();

  installs = new Map<string, Install>();
  connections = new Map<string, Connection>();
  credentials = new Map<string, SealedCredential>();
  leases = new Map<string, LeaseRecord>();

  dedupe = new Map<string, string>();
  triggers = new Map<string, TriggerRecord>();
  checkpoints = new Map<string, TriggerCheckpoint>();

  jobs = new Map<string, DispatchJob>();
  routes = new Map<string, WebhookRoute>();

  readonly mutex = new Mutex();
  readonly workWaiters = new Set<() => void>();

  notifyWork(): void {
    for (const wake of [...this.workWaiters]) wake();
  }
}

/** Shared plumbing of the memory stores: journaling inside a transaction, waiting outside one. */
export abstract class MemoryAccess {
  constructor(
    protected readonly state: MemoryState,
    protected readonly journal: Journal | null,
  ) {}

  protected async guard<T>(fn: () => T): Promise<T> {
    if (this.journal || !this.state.mutex.isLocked()) return fn();
    return this.state.mutex.runExclusive(fn);
  }

  /** Runs `effect` after commit (or now, outside a transaction). */
  protected afterCommit(effect: () => void): void {
    if (this.journal) this.journal.onCommit(effect);
    else effect();
  }
}

export const scopeKey = (parts: Array<string | null | undefined>): string => JSON.stringify(parts);
