import { z } from 'zod';
import type { Clock } from '@integration/contracts';
import type { ControlBoundary } from './control-types';
import type { AgentSpec, ApprovalPolicy, Operation } from './spec';

export interface Message {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  name?: string;
  calls?: OperationCall[];
}

export interface OperationCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface PromptOperation {
  name: string;
  description: string | null;
  idempotency: string;
  parametersSchema: Record<string, unknown> | null;
}

/** What the model sees: messages, the operations it may call, the result contract, the context. */
export interface Prompt {
  messages: Message[];
  operations: PromptOperation[];
  result: { schema: Record<string, unknown>; maxRepairs: number } | null;
  /** The caller's context, validated against the spec's context schema when it has one. */
  context: Record<string, unknown>;
}

export interface LlmIntent {
  id: string;
  kind: 'llm';
  agentId: string;
  requestId: string;
  loopIndex: number;
  model: string;
  generation: AgentSpec['generation'];
  prompt: Prompt;
}

export interface OperationIntent {
  id: string;
  kind: 'operation';
  requestId: string;
  loopIndex: number;
  name: string;
  arguments: Record<string, unknown>;
  idempotency: string;
}

export interface JournalResult {
  intentId: string;
  kind: 'llm' | 'operation';
  status: 'ok' | 'error';
  output: unknown;
}

/** Every intent planned in this turn and every result recorded, in order. */
export interface Journal {
  intents: Array<LlmIntent | OperationIntent>;
  results: JournalResult[];
}

/** Arguments as an object, or as the JSON text of one (as many model APIs return them). */
const ArgumentsSchema = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}, z.record(z.string(), z.unknown()).default({}));
const CallSchema = z.object({ name: z.string().min(1), arguments: ArgumentsSchema });
export const LlmDecisionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('final'), content: z.string(), result: z.unknown().optional() }),
  z.object({ type: z.literal('operation'), name: z.string().min(1), arguments: ArgumentsSchema }),
  z.object({ type: z.literal('operations'), operations: z.array(CallSchema).min(1).max(8) }),
]);
export type LlmDecision = z.input<typeof LlmDecisionSchema>;

/** The model: given the intent and the journal so far, request operations or answer. */
export type Llm = (intent: LlmIntent, journal: Journal) => LlmDecision | Promise<LlmDecision>;

export interface OperationCallContext {
  spec: AgentSpec;
  operation: Operation;
  intent: OperationIntent;
  journal: Journal;
  signal: AbortSignal;
  context: Record<string, unknown>;
}

export type OperationHandler = (args: Record<string, unknown>, context: OperationCallContext) => unknown;
export type OperationHandlers = Readonly<Record<string, OperationHandler>> | ReadonlyMap<string, OperationHandler>;

export interface ApprovalRequest {
  operation: string;
  arguments: Record<string, unknown>;
  policy: ApprovalPolicy;
}

export interface ChatOptions {
  llm: Llm;
  /** Handlers by operation name; they win over an operation's own action. */
  operations?: OperationHandlers;
  /** Asked for every operation whose approval is required; without it such operations fail. */
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
  /** Values passed to controls and actions. */
  context?: Record<string, unknown>;
  clock?: Clock;
  signal?: AbortSignal;
  requestId?: string;
}

export type TurnEvent =
  | { type: 'control_allowed'; control: string; boundary: ControlBoundary; operation?: string }
  | { type: 'llm_decided'; loopIndex: number; decision: 'final' | 'operation' | 'operations' }
  | { type: 'operation_started'; operation: string }
  | { type: 'operation_observed'; operation: string }
  | { type: 'approval_granted'; operation: string }
  | { type: 'result_repair_requested'; attempt: number }
  | { type: 'result_validated' }
  | { type: 'turn_finished'; loopIndex: number };

export interface OperationResult {
  operation: string;
  arguments: Record<string, unknown>;
  output: unknown;
}

export interface TurnResult {
  content: string;
  /** The validated result when the spec has a result schema, else the content. */
  value: unknown;
  messages: Message[];
  journal: Journal;
  events: TurnEvent[];
  operationResults: OperationResult[];
}

