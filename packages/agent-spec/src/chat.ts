import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { systemClock, type Clock, type IntegrationError } from '@integration/contracts';
import { agentFailure, describeCause, invalidDocument } from './errors';
import { matchesOperation, operationKind, operationSource } from './operation-match';
import { preflightAgent } from './preflight';
import { isReservedRef } from './registry';
import { modelRef } from './inspect';
import type { ControlContext } from './control-types';
import type { AgentSpec, BoundaryControl, Operation } from './spec';
import {
  LlmDecisionSchema,
  type ChatOptions,
  type Journal,
  type Llm,
  type LlmIntent,
  type Message,
  type OperationCall,
  type OperationHandler,
  type OperationHandlers,
  type OperationIntent,
  type OperationResult,
  type TurnEvent,
  type TurnResult,
} from './turn-types';

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

function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
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
  const { plan, context, prompt: firstPrompt } = preflightAgent(spec, input, { context: options.context ?? {} });
  const clock = options.clock ?? systemClock;
  const requestId = options.requestId ?? `req_${randomUUID()}`;
  const started = clock.now();
  const controller = new AbortController();
  const external = options.signal;
  const own = new WeakSet<object>();
  const mark = (error: IntegrationError) => {
    own.add(error);
    return error;
  };

  const timeoutError = () =>
    mark(
      agentFailure('agent_timeout', `the turn exceeded its ${plan.timeoutMs} ms timeout`, {
        kind: 'turn_timeout_exceeded',
        timeoutMs: plan.timeoutMs,
        elapsedMs: clock.now() - started,
      }),
    );
  const cancelledError = () => mark(agentFailure('runtime_cancelled', 'the turn was cancelled', { kind: 'turn_cancelled' }));
  const checkTime = () => {
    if (external?.aborted) throw cancelledError();
    if (clock.now() - started > plan.timeoutMs) throw timeoutError();
  };

  /** Runs a step, bounded by the remaining time and the caller's signal. */
  const bounded = async <T>(step: () => T | Promise<T>): Promise<T> => {
    checkTime();
    const remaining = Math.max(0, plan.timeoutMs - (clock.now() - started));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(timeoutError());
      }, remaining);
      if (external) {
        onAbort = () => {
          controller.abort();
          reject(cancelledError());
        };
        external.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      return await Promise.race([Promise.resolve().then(step), guard]);
    } finally {
      clearTimeout(timer);
      if (onAbort) external?.removeEventListener('abort', onAbort);
    }
  };

  const events: TurnEvent[] = [];
  const journal: Journal = { intents: [], results: [] };
  const operationResults: OperationResult[] = [];
  const messages: Message[] = firstPrompt.messages;

  const runControl = async (entry: BoundaryControl, ctx: ControlContext, operation?: string): Promise<void> => {
    const name = entry.control.name;
    let decision: unknown;
    try {
      decision = await bounded(() => entry.control.call(ctx));
    } catch (error) {
      if (typeof error === 'object' && error !== null && own.has(error)) throw error;
      throw mark(
        agentFailure('agent_control_failed', `control "${name}" failed at the ${ctx.boundary} boundary`, {
          kind: 'control_failed',
          control: name,
          boundary: ctx.boundary,
          ...(operation ? { operation } : {}),
          cause: describeCause(error),
        }, error),
      );
    }
    const verdict = typeof decision === 'string' ? decision : (decision as { decision?: unknown } | null)?.decision;
    const reason = typeof decision === 'object' && decision !== null ? (decision as { reason?: unknown }).reason : undefined;
    if (verdict === 'allow') {
      events.push({ type: 'control_allowed', control: name, boundary: ctx.boundary, ...(operation ? { operation } : {}) });
      return;
    }
    const kind = verdict === 'block' ? 'control_blocked' : verdict === 'interrupt' ? 'control_interrupted' : 'invalid_control_decision';
    const what = kind === 'control_blocked' ? 'blocked' : kind === 'control_interrupted' ? 'interrupted' : 'returned an invalid decision at';
    throw mark(
      agentFailure('agent_control_failed', `control "${name}" ${what} the ${ctx.boundary}${operation ? ` (${operation})` : ''}`, {
        kind,
        control: name,
        boundary: ctx.boundary,
        ...(operation ? { operation } : {}),
        ...(typeof reason === 'string' ? { cause: reason } : {}),
      }),
    );
  };

  for (const entry of spec.controls.inputs) {
    await runControl(entry, { boundary: 'input', input, spec, metadata: entry.metadata, context });
  }
  checkTime();

  let loopIndex = 0;
  let repairs = 0;
  for (;;) {
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
      prompt: { ...firstPrompt, messages: messages.map((m) => ({ ...m })) },
    };
    journal.intents.push(intent);
    let raw: unknown;
    try {
      raw = await bounded(() => options.llm(intent, { intents: [...journal.intents], results: [...journal.results] }));
    } catch (error) {
      if (typeof error === 'object' && error !== null && own.has(error)) throw error;
      journal.results.push({ intentId: intent.id, kind: 'llm', status: 'error', output: describeCause(error) });
      throw agentFailure('agent_llm_failed', 'the model call failed', { kind: 'llm_failed', loopIndex, cause: describeCause(error) }, error);
    }
    journal.results.push({ intentId: intent.id, kind: 'llm', status: 'ok', output: raw });
    loopIndex += 1;
    const decoded = LlmDecisionSchema.safeParse(raw);
    if (!decoded.success) {
      throw agentFailure('agent_invalid_decision', 'the model returned a decision that is not final, operation or operations', {
        kind: 'invalid_llm_decision',
        issues: decoded.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
      });
    }
    const decision = decoded.data;
    events.push({ type: 'llm_decided', loopIndex: intent.loopIndex, decision: decision.type });

    if (decision.type === 'final') {
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
            repairs += 1;
            messages.push({ role: 'assistant', content: decision.content });
            messages.push({ role: 'user', content: `The answer does not match the result schema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. Answer again.` });
            events.push({ type: 'result_repair_requested', attempt: repairs });
            continue;
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
        await runControl(entry, { boundary: 'output', content: decision.content, value, spec, metadata: entry.metadata, context });
      }
      events.push({ type: 'turn_finished', loopIndex });
      return { content: decision.content, value, messages, journal, events, operationResults };
    }

    const calls: OperationCall[] = decision.type === 'operation' ? [{ name: decision.name, arguments: decision.arguments }] : decision.operations;
    messages.push({ role: 'assistant', content: '', calls });
    for (const [index, call] of calls.entries()) {
      const operation = spec.operations.find((op) => op.name === call.name);
      if (!operation) {
        throw agentFailure('agent_invalid_decision', `the model asked for the unknown operation "${call.name.slice(0, 64)}"`, {
          kind: 'unknown_operation',
          operation: call.name.slice(0, 64),
        });
      }
      const opIntent: OperationIntent = {
        id: `op:${requestId}:${intent.loopIndex}:${index}:${operation.name}`,
        kind: 'operation',
        requestId,
        loopIndex: intent.loopIndex,
        name: operation.name,
        arguments: call.arguments,
        idempotency: operation.idempotency,
      };
      journal.intents.push(opIntent);
      const kind = operationKind(operation);
      const source = operationSource(operation);
      for (const entry of spec.controls.operations) {
        if (!matchesOperation(entry.match, operation)) continue;
        await runControl(
          entry,
          { boundary: 'operation', operation, kind, source, arguments: call.arguments, spec, metadata: entry.metadata, context },
          operation.name,
        );
      }
      if (operation.approval?.required) {
        if (!options.approve) {
          throw agentFailure('agent_control_failed', `operation "${operation.name}" requires approval and no approve callback was given`, {
            kind: 'approval_required',
            boundary: 'operation',
            operation: operation.name,
            reason: operation.approval.reason,
          });
        }
        const policy = operation.approval;
        const approved = await bounded(() => options.approve!({ operation: operation.name, arguments: call.arguments, policy }));
        if (approved !== true) {
          throw agentFailure('agent_control_failed', `operation "${operation.name}" was not approved`, {
            kind: 'approval_denied',
            boundary: 'operation',
            operation: operation.name,
            reason: policy.reason,
          });
        }
        events.push({ type: 'approval_granted', operation: operation.name });
      }
      events.push({ type: 'operation_started', operation: operation.name });
      let output: unknown;
      try {
        output = await bounded(() => invokeOperation(spec, operation, call.arguments, opIntent, journal, options, controller.signal, context));
      } catch (error) {
        journal.results.push({ intentId: opIntent.id, kind: 'operation', status: 'error', output: describeCause(error) });
        if (typeof error === 'object' && error !== null && own.has(error)) throw error;
        throw agentFailure('agent_operation_failed', `operation "${operation.name}" failed`, {
          kind: (error as { missingHandler?: boolean })?.missingHandler ? 'missing_operation_handler' : 'operation_failed',
          operation: operation.name,
          cause: describeCause(error),
        }, error);
      }
      journal.results.push({ intentId: opIntent.id, kind: 'operation', status: 'ok', output });
      operationResults.push({ operation: operation.name, arguments: call.arguments, output });
      messages.push({ role: 'tool', name: operation.name, content: jsonText(output) });
      events.push({ type: 'operation_observed', operation: operation.name });
    }
  }
}

function handlerFor(handlers: OperationHandlers | undefined, name: string): OperationHandler | undefined {
  if (!handlers || isReservedRef(name)) return undefined;
  if (handlers instanceof Map) return handlers.get(name);
  return Object.hasOwn(handlers, name) ? (handlers as Record<string, OperationHandler>)[name] : undefined;
}

async function invokeOperation(
  spec: AgentSpec,
  operation: Operation,
  args: Record<string, unknown>,
  intent: OperationIntent,
  journal: Journal,
  options: ChatOptions,
  signal: AbortSignal,
  context: Record<string, unknown>,
): Promise<unknown> {
  const handler = handlerFor(options.operations, operation.name);
  if (handler) return handler(args, { spec, operation, intent, journal: { intents: [...journal.intents], results: [...journal.results] }, signal, context });
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
