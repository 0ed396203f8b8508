import { agentFailure, describeCause } from './errors';
import { matchesOperation, operationKind, operationSource } from './operation-match';
import { isReservedRef } from './registry';
import type { Operation } from './spec';
import { runControl } from './turn-controls';
import { journalSnapshot, type TurnState } from './turn-state';
import type { OperationCall, OperationHandler, OperationHandlers, OperationIntent } from './turn-types';

function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
}

/**
 * One operation the model asked for, as the `index`-th call of model call `loopIndex`: journaled,
 * through the operation controls and any approval, run by its handler or action, and observed.
 */
export async function runOperationCall(turn: TurnState, loopIndex: number, index: number, call: OperationCall): Promise<void> {
  const { spec, requestId, journal, events, context } = turn;
  const operation = spec.operations.find((op) => op.name === call.name);
  if (!operation) {
    throw agentFailure('agent_invalid_decision', `the model asked for the unknown operation "${call.name.slice(0, 64)}"`, {
      kind: 'unknown_operation',
      operation: call.name.slice(0, 64),
    });
  }
  const intent: OperationIntent = {
    id: `op:${requestId}:${loopIndex}:${index}:${operation.name}`,
    kind: 'operation',
    requestId,
    loopIndex,
    name: operation.name,
    arguments: call.arguments,
    idempotency: operation.idempotency,
  };
  journal.intents.push(intent);
  const kind = operationKind(operation);
  const source = operationSource(operation);
  for (const entry of spec.controls.operations) {
    if (!matchesOperation(entry.match, operation)) continue;
    await runControl(turn, entry, { boundary: 'operation', operation, kind, source, arguments: call.arguments, spec, metadata: entry.metadata, context }, operation.name);
  }
  if (operation.approval?.required) await approve(turn, operation, call);
  events.push({ type: 'operation_started', operation: operation.name });
  let output: unknown;
  try {
    output = await turn.budget.bounded(() => invokeOperation(turn, operation, call.arguments, intent));
  } catch (error) {
    journal.results.push({ intentId: intent.id, kind: 'operation', status: 'error', output: describeCause(error) });
    if (turn.budget.isOwn(error)) throw error;
    throw agentFailure('agent_operation_failed', `operation "${operation.name}" failed`, {
      kind: (error as { missingHandler?: boolean })?.missingHandler ? 'missing_operation_handler' : 'operation_failed',
      operation: operation.name,
      cause: describeCause(error),
    }, error);
  }
  journal.results.push({ intentId: intent.id, kind: 'operation', status: 'ok', output });
  turn.operationResults.push({ operation: operation.name, arguments: call.arguments, output });
  turn.messages.push({ role: 'tool', name: operation.name, content: jsonText(output) });
  events.push({ type: 'operation_observed', operation: operation.name });
}

/** An operation that requires approval runs only when the caller's `approve` says `true`. */
async function approve(turn: TurnState, operation: Operation, call: OperationCall): Promise<void> {
  const policy = operation.approval!;
  const details = { boundary: 'operation', operation: operation.name, reason: policy.reason };
  const ask = turn.options.approve;
  if (!ask) {
    throw agentFailure('agent_control_failed', `operation "${operation.name}" requires approval and no approve callback was given`, { kind: 'approval_required', ...details });
  }
  const approved = await turn.budget.bounded(() => ask({ operation: operation.name, arguments: call.arguments, policy }));
  if (approved !== true) throw agentFailure('agent_control_failed', `operation "${operation.name}" was not approved`, { kind: 'approval_denied', ...details });
  turn.events.push({ type: 'approval_granted', operation: operation.name });
}

function handlerFor(handlers: OperationHandlers | undefined, name: string): OperationHandler | undefined {
  if (!handlers || isReservedRef(name)) return undefined;
  if (handlers instanceof Map) return handlers.get(name);
  return Object.hasOwn(handlers, name) ? (handlers as Record<string, OperationHandler>)[name] : undefined;
}

/** The caller's handler for the operation, else its built-in action (arguments checked), else a missing-handler failure. */
async function invokeOperation(turn: TurnState, operation: Operation, args: Record<string, unknown>, intent: OperationIntent): Promise<unknown> {
  const { spec, context } = turn;
  const signal = turn.budget.controller.signal;
  const handler = handlerFor(turn.options.operations, operation.name);
  if (handler) return handler(args, { spec, operation, intent, journal: journalSnapshot(turn.journal), signal, context });
  if (operation.action) {
    const parsed = operation.action.input.safeParse(args);
    if (!parsed.success) {
      throw Object.assign(new Error(`invalid arguments for ${operation.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`), {
        name: 'InvalidArguments',
      });
    }
    return operation.action.run(parsed.data, { agentId: spec.id, operation: operation.name, signal, context });
  }
  throw Object.assign(new Error(`no handler for operation "${operation.name}"; pass one in chat options.operations`), { missingHandler: true });
}
