import { operationKinds, type OperationKind } from './document-schema';
import type { Operation, OperationMatch } from './spec';

const kindKeys = ['kind', 'operationKind', 'sourceKind'];

/** The operation's kind: an explicit `metadata.kind`, else `action` for action-backed operations, else `operation`. */
export function operationKind(op: Pick<Operation, 'metadata'>): OperationKind {
  for (const key of kindKeys) {
    const value = op.metadata[key];
    if (typeof value === 'string') {
      const kind = value.trim().toLowerCase();
      if ((operationKinds as readonly string[]).includes(kind)) return kind as OperationKind;
    }
  }
  return op.metadata.source === 'action' || op.metadata.runtime === 'action' ? 'action' : 'operation';
}

/** The operation's source for matching: `metadata.source`, else `metadata.runtime`. */
export function operationSource(op: Pick<Operation, 'metadata'>): string | null {
  const value = op.metadata.source ?? op.metadata.runtime;
  return typeof value === 'string' ? value : null;
}

/** True when every key of the match holds for the operation; an empty match matches everything. */
export function matchesOperation(match: OperationMatch, op: Operation): boolean {
  if (match.kind !== undefined && match.kind !== operationKind(op)) return false;
  if (match.name !== undefined && match.name !== op.name) return false;
  if (match.source !== undefined && match.source !== operationSource(op)) return false;
  if (match.idempotency !== undefined && match.idempotency !== op.idempotency) return false;
  if (match.metadata !== undefined) {
    for (const [key, expected] of Object.entries(match.metadata)) {
      if (!Object.hasOwn(op.metadata, key) || !sameValue(op.metadata[key], expected)) return false;
    }
  }
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
