import { agentFailure } from './errors';
import { runControl } from './turn-controls';
import type { TurnState } from './turn-state';
import type { TurnResult } from './turn-types';

export interface FinalDecision {
  content: string;
  result?: unknown;
}

/**
 * The model's final answer: checked against the result schema (a mismatch asks for a repair while
 * repairs remain: `null`), then through the output controls. Returns the turn's result.
 */
export async function finishTurn(turn: TurnState, decision: FinalDecision, repairs: number, loopIndex: number): Promise<TurnResult | null> {
  const { spec, messages, events } = turn;
  let value: unknown = decision.content;
  if (spec.result) {
    let candidate: unknown = decision.result;
    if (candidate === undefined) {
      try {
        candidate = JSON.parse(decision.content);
      } catch {
        candidate = decision.content;
      }
    }
    const checked = spec.result.schema.safeParse(candidate);
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
      if (repairs < spec.result.maxRepairs) {
        messages.push({ role: 'assistant', content: decision.content });
        messages.push({ role: 'user', content: `The answer does not match the result schema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. Answer again.` });
        events.push({ type: 'result_repair_requested', attempt: repairs + 1 });
        return null;
      }
      throw agentFailure('agent_invalid_result', `the answer did not match the result schema after ${repairs} repairs`, {
        kind: 'invalid_result',
        attempts: repairs + 1,
        maxRepairs: spec.result.maxRepairs,
        issues,
      });
    }
    value = checked.data;
    events.push({ type: 'result_validated' });
  }
  messages.push({ role: 'assistant', content: decision.content });
  for (const entry of spec.controls.outputs) {
    await runControl(turn, entry, { boundary: 'output', content: decision.content, value, spec, metadata: entry.metadata, context: turn.context });
  }
  events.push({ type: 'turn_finished', loopIndex });
  return { content: decision.content, value, messages, journal: turn.journal, events, operationResults: turn.operationResults };
}
