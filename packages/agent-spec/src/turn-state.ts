import type { AgentSpec } from './spec';
import type { TurnBudget } from './turn-budget';
import type { ChatOptions, Journal, Message, OperationResult, TurnEvent } from './turn-types';

/** What one turn accumulates as it runs, shared by its steps. */
export interface TurnState {
  spec: AgentSpec;
  options: ChatOptions;
  requestId: string;
  context: Record<string, unknown>;
  budget: TurnBudget;
  events: TurnEvent[];
  journal: Journal;
  operationResults: OperationResult[];
  messages: Message[];
}

/** A copy of the journal as it stands, for callbacks that must not change the turn's own. */
export const journalSnapshot = (journal: Journal): Journal => ({ intents: [...journal.intents], results: [...journal.results] });
