import { invalidDocument } from './errors';
import { matchesOperation, operationKind } from './operation-match';
import type { AgentSpec } from './spec';

export const DEFAULT_MAX_TURNS = 8;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface AgentPlan {
  specId: string;
  /** LLM calls allowed in one turn: controls.max_turns, else runtime_defaults.max_turns, else 8. */
  maxTurns: number;
  /** Wall-clock budget of one turn: controls.timeout_ms, else runtime_defaults.timeout_ms, else 30000. */
  timeoutMs: number;
  operations: string[];
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * The turn plan. Fails (invalid_argument, reason `unsafe_once_requires_control`) when an
 * `unsafe_once` operation has neither a matching operation control nor a required approval.
 */
export function planAgent(spec: AgentSpec): AgentPlan {
  for (const op of spec.operations) {
    if (op.idempotency !== 'unsafe_once') continue;
    const guarded = op.approval?.required === true || spec.controls.operations.some((control) => matchesOperation(control.match, op));
    if (!guarded) {
      throw invalidDocument(`operation "${op.name}" is unsafe_once and needs an operation control or a required approval`, {
        kind: 'unsafe_once_requires_control',
        operation: op.name,
        operationKind: operationKind(op),
      });
    }
  }
  return {
    specId: spec.id,
    maxTurns: spec.controls.maxTurns ?? positive(spec.runtimeDefaults.max_turns) ?? DEFAULT_MAX_TURNS,
    timeoutMs: spec.controls.timeoutMs ?? positive(spec.runtimeDefaults.timeout_ms) ?? DEFAULT_TIMEOUT_MS,
    operations: spec.operations.map((op) => op.name),
  };
}
