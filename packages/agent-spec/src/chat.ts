import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { systemClock, type Clock } from '@integration/contracts';
import { agentFailure, describeCause, invalidDocument } from './errors';
import { modelRef } from './inspect';
import { preflightAgent } from './preflight';
import type { AgentSpec } from './spec';
import { TurnBudget } from './turn-budget';
import { runControl } from './turn-controls';
import { finishTurn } from './turn-final';
import { runOperationCall } from './turn-operation';
import { journalSnapshot, type TurnState } from './turn-state';
import { LlmDecisionSchema, type ChatOptions, type Llm, type LlmIntent, type OperationCall, type OperationHandlers, type TurnResult } from './turn-types';

const OptionsSchema = z.object({
  llm: z.custom<Llm>((v) => typeof v === 'function', 'llm must be a function (intent, journal) => decision'),
  operations: z.custom<OperationHandlers>((v) => v instanceof Map || (typeof v === 'object' && v !== null && !Array.isArray(v))).optional(),
  approve: z.custom<ChatOptions['approve']>((v) => typeof v === 'function').optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock | null)?.now === 'function').optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
  requestId: z.string().min(1).optional(),
});

/** Runs one turn and returns the final content. */
export async function chat(spec: AgentSpec, input: string, options: ChatOptions): Promise<string> {
  return (await runTurn(spec, input, options)).content;
}

/**
 * One deterministic turn: input controls, then a loop of LLM calls (at most max_turns) whose
 * operation requests run through operation controls, approvals and handlers, then result
 * validation (with repairs) and output controls. The timeout covers the whole turn.
 */
export async function runTurn(spec: AgentSpec, input: string, options: ChatOptions): Promise<TurnResult> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw invalidDocument(`invalid chat options: ${parsed.error.issues.map((i) => i.message).join('; ')}`, { kind: 'invalid_options' });
  if (typeof input !== 'string') throw invalidDocument('the chat input must be a string', { kind: 'invalid_input' });
  const { plan, context, prompt } = preflightAgent(spec, input, { context: options.context ?? {} });
  const requestId = options.requestId ?? `req_${randomUUID()}`;
  const turn: TurnState = {
    spec,
    options,
    requestId,
    context,
    budget: new TurnBudget(options.clock ?? systemClock, plan.timeoutMs, options.signal),
    events: [],
    journal: { intents: [], results: [] },
    operationResults: [],
    messages: prompt.messages,
  };

  for (const entry of spec.controls.inputs) {
    await runControl(turn, entry, { boundary: 'input', input, spec, metadata: entry.metadata, context });
  }
  turn.budget.check();

  let repairs = 0;
  for (let loopIndex = 0; ; ) {
    if (loopIndex >= plan.maxTurns) {
      throw agentFailure('agent_max_turns', `the turn used its ${plan.maxTurns} model calls without a final answer`, {
        kind: 'max_turns_exceeded',
        maxTurns: plan.maxTurns,
      });
    }
    const intent: LlmIntent = {
      id: `llm:${requestId}:${loopIndex}`,
      kind: 'llm',
      agentId: spec.id,
      requestId,
      loopIndex,
      model: modelRef(spec),
      generation: spec.generation,
      prompt: { ...prompt, messages: turn.messages.map((m) => ({ ...m })) },
    };
    const decision = await decide(turn, intent);
    loopIndex += 1;
    if (decision.type === 'final') {
      const result = await finishTurn(turn, decision, repairs, loopIndex);
      if (result) return result;
      repairs += 1;
      continue;
    }
    const calls: OperationCall[] = decision.type === 'operation' ? [{ name: decision.name, arguments: decision.arguments }] : decision.operations;
    turn.messages.push({ role: 'assistant', content: '', calls });
    for (const [index, call] of calls.entries()) await runOperationCall(turn, intent.loopIndex, index, call);
  }
}

/** One model call, journaled: its decision, or `agent_llm_failed` / `agent_invalid_decision`. */
async function decide(turn: TurnState, intent: LlmIntent) {
  const { journal } = turn;
  journal.intents.push(intent);
  let raw: unknown;
  try {
    raw = await turn.budget.bounded(() => turn.options.llm(intent, journalSnapshot(journal)));
  } catch (error) {
    if (turn.budget.isOwn(error)) throw error;
    journal.results.push({ intentId: intent.id, kind: 'llm', status: 'error', output: describeCause(error) });
    throw agentFailure('agent_llm_failed', 'the model call failed', { kind: 'llm_failed', loopIndex: intent.loopIndex, cause: describeCause(error) }, error);
  }
  journal.results.push({ intentId: intent.id, kind: 'llm', status: 'ok', output: raw });
  const decoded = LlmDecisionSchema.safeParse(raw);
  if (!decoded.success) {
    throw agentFailure('agent_invalid_decision', 'the model returned a decision that is not final, operation or operations', {
      kind: 'invalid_llm_decision',
      issues: decoded.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
    });
  }
  turn.events.push({ type: 'llm_decided', loopIndex: intent.loopIndex, decision: decoded.data.type });
  return decoded.data;
}
