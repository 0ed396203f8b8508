import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '@integration/contracts';
import { chat, defineAction, defineAgent, defineControl, importAgent, inspectAgent, preflightAgent, runTurn, type Llm, type LlmDecision } from '../src';
import { asyncErrorOf, errorOf, localTime, recordingControl } from './support/fixtures';

/** The reference fake: no LLM result yet → request the operation; afterwards → answer. */
const toolThenAnswer =
  (name: string, args: Record<string, unknown> = {}, answer = 'done'): Llm =>
  (_intent, journal) =>
    journal.results.some((r) => r.kind === 'llm') ? { type: 'final', content: answer } : { type: 'operation', name, arguments: args };

const lookupAgent = (controls: Parameters<typeof defineAgent>[0]['controls'] = {}) =>
  defineAgent({
    id: 'lookup_agent',
    operations: [{ name: 'lookup', description: 'Looks up a value.', metadata: { kind: 'tool', owner: 'tests' } }],
    controls,
  });

describe('chat runner', () => {
  it('runs an action through its own definition and feeds the observation back', async () => {
    const spec = defineAgent({ id: 'time_agent', tools: { actions: [localTime] } });
    const prompts: unknown[] = [];
    const llm: Llm = (intent, journal) => {
      prompts.push(intent.prompt.messages.map((m) => m.role));
      return journal.results.length === 0
        ? { type: 'operation', name: 'local_time', arguments: { city: 'Paris' } }
        : { type: 'final', content: `It is ${JSON.stringify((journal.results[1]!.output as { time: string }).time)}` };
    };
    const result = await runTurn(spec, 'time?', { llm, requestId: 'r1' });
    expect(result.content).toBe('It is "09:30"');
    expect(result.operationResults).toEqual([{ operation: 'local_time', arguments: { city: 'Paris' }, output: { city: 'Paris', time: '09:30' } }]);
    expect(prompts).toEqual([
      ['system', 'user'],
      ['system', 'user', 'assistant', 'tool'],
    ]);
    expect(result.journal.intents.map((i) => i.id)).toEqual(['llm:r1:0', 'op:r1:0:0:local_time', 'llm:r1:1']);
    expect(result.journal.results.map((r) => [r.kind, r.status])).toEqual([
      ['llm', 'ok'],
      ['operation', 'ok'],
      ['llm', 'ok'],
    ]);
    expect(result.events.map((e) => e.type)).toEqual(['llm_decided', 'operation_started', 'operation_observed', 'llm_decided', 'turn_finished']);
  });

  it('accepts arguments as JSON text, as model APIs often send them', async () => {
    const spec = defineAgent({ id: 'time_agent', tools: { actions: [localTime] } });
    const result = await runTurn(spec, 'x', {
      llm: (_i, j) => (j.results.length === 0 ? { type: 'operation', name: 'local_time', arguments: '{"city":"Oslo"}' as never } : { type: 'final', content: 'ok' }),
    });
    expect(result.operationResults[0]!.output).toEqual({ city: 'Oslo', time: '09:30' });
    const bad = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'operation', name: 'local_time', arguments: '[1]' as never }) }));
    expect(bad.code).toBe('agent_invalid_decision');
  });

  it('validates action arguments with the action schema', async () => {
    const spec = defineAgent({ id: 'time_agent', tools: { actions: [localTime] } });
    const error = await asyncErrorOf(() => chat(spec, 'x', { llm: toolThenAnswer('local_time', { city: 42 }) }));
    expect(error.code).toBe('agent_operation_failed');
    expect(error.details.reason).toMatchObject({ kind: 'operation_failed', operation: 'local_time' });
  });

  it('declared operations need a handler; handlers win over actions', async () => {
    const spec = lookupAgent();
    const missing = await asyncErrorOf(() => chat(spec, 'x', { llm: toolThenAnswer('lookup') }));
    expect(missing.code).toBe('agent_operation_failed');
    expect(missing.details.reason).toMatchObject({ kind: 'missing_operation_handler', operation: 'lookup' });
    const seen: unknown[] = [];
    await expect(
      chat(spec, 'x', { llm: toolThenAnswer('lookup', { q: 1 }), operations: { lookup: (args, ctx) => (seen.push([args, ctx.operation.name]), 'v') } }),
    ).resolves.toBe('done');
    expect(seen).toEqual([[{ q: 1 }, 'lookup']]);
    const timeSpec = defineAgent({ id: 'time_agent', tools: { actions: [localTime] } });
    const result = await runTurn(timeSpec, 'x', { llm: toolThenAnswer('local_time'), operations: new Map([['local_time', () => 'overridden']]) });
    expect(result.operationResults[0]!.output).toBe('overridden');
  });

  it('an unknown operation or a malformed decision is agent_invalid_decision', async () => {
    const spec = lookupAgent();
    const unknown = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'operation', name: 'nope' }) }));
    expect([unknown.code, unknown.details.reason]).toEqual(['agent_invalid_decision', { kind: 'unknown_operation', operation: 'nope' }]);
    const bad = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'final', content: 42 }) as unknown as LlmDecision }));
    expect(bad.code).toBe('agent_invalid_decision');
    const empty = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'operations', operations: [] }) }));
    expect(empty.code).toBe('agent_invalid_decision');
  });

  it('a failing model call is agent_llm_failed', async () => {
    const error = await asyncErrorOf(() =>
      chat(lookupAgent(), 'x', {
        llm: () => {
          throw new Error('provider down');
        },
      }),
    );
    expect(error.code).toBe('agent_llm_failed');
    expect(error.details.reason).toMatchObject({ kind: 'llm_failed', cause: { message: 'provider down' } });
  });

  it('runs an operations batch in request order', async () => {
    const order: string[] = [];
    const spec = defineAgent({ id: 'batch_agent', operations: [{ name: 'a' }, { name: 'b' }] });
    const result = await runTurn(spec, 'x', {
      llm: (_i, j) =>
        j.results.length === 0
          ? { type: 'operations', operations: [{ name: 'b', arguments: { n: 1 } }, { name: 'a' }] }
          : { type: 'final', content: 'ok' },
      operations: { a: () => (order.push('a'), 1), b: () => (order.push('b'), 2) },
    });
    expect(order).toEqual(['b', 'a']);
    expect(result.operationResults.map((r) => r.output)).toEqual([2, 1]);
  });
});

describe('controls at run time (reference §8 24–32)', () => {
  it('operation controls run before the capability, in declared order, only when they match', async () => {
    const log: string[] = [];
    const first = defineControl({ name: 'first', call: () => (log.push('first'), 'allow') });
    const second = defineControl({ name: 'second', call: () => (log.push('second'), { decision: 'allow' }) });
    const other = defineControl({ name: 'other', call: () => (log.push('other'), 'allow') });
    const spec = lookupAgent({
      operations: [
        { control: first, when: { kind: 'tool', name: 'lookup' } },
        { control: other, when: { name: 'something_else' } },
        { control: second, when: { source: 'nowhere' } },
        { control: second, when: { metadata: { owner: 'tests' } } },
      ],
    });
    await chat(spec, 'x', { llm: toolThenAnswer('lookup'), operations: { lookup: () => (log.push('capability'), 1) } });
    expect(log).toEqual(['first', 'second', 'capability']);
  });

  it('a block stops the operation: the capability is never called', async () => {
    const blocker = recordingControl('blocker', () => ({ decision: 'block', reason: 'not today' }));
    let called = 0;
    const spec = lookupAgent({ operations: [{ control: blocker.control }] });
    const error = await asyncErrorOf(() => chat(spec, 'x', { llm: toolThenAnswer('lookup'), operations: { lookup: () => ++called } }));
    expect(called).toBe(0);
    expect(error.code).toBe('agent_control_failed');
    expect(error.details.reason).toEqual({ kind: 'control_blocked', control: 'blocker', boundary: 'operation', operation: 'lookup', cause: 'not today' });
    expect(blocker.calls[0]).toMatchObject({ boundary: 'operation', kind: 'tool', source: null, arguments: {} });
  });

  it('interrupts, invalid decisions and thrown errors are typed', async () => {
    const cases: Array<[ReturnType<typeof recordingControl>, string]> = [
      [recordingControl('pauser', () => ({ decision: 'interrupt', reason: 'review' })), 'control_interrupted'],
      [recordingControl('confused', () => 'maybe' as never), 'invalid_control_decision'],
      [
        recordingControl('broken', () => {
          throw new Error('boom');
        }),
        'control_failed',
      ],
    ];
    for (const [entry, kind] of cases) {
      const spec = lookupAgent({ operations: [{ control: entry.control }] });
      const error = await asyncErrorOf(() => chat(spec, 'x', { llm: toolThenAnswer('lookup'), operations: { lookup: () => 1 } }));
      expect([error.code, (error.details.reason as { kind: string }).kind]).toEqual(['agent_control_failed', kind]);
    }
  });

  it('a blocked input means the model is never called', async () => {
    let llmCalls = 0;
    const gate = recordingControl('no_secrets', (ctx) => (ctx.boundary === 'input' && ctx.input.includes('sk-') ? { decision: 'block', reason: 'secret' } : 'allow'));
    const spec = lookupAgent({ inputs: [gate.control] });
    const error = await asyncErrorOf(() => chat(spec, 'my key is sk-123', { llm: () => (llmCalls++, { type: 'final', content: 'x' }) }));
    expect(llmCalls).toBe(0);
    expect(error.details.reason).toMatchObject({ kind: 'control_blocked', control: 'no_secrets', boundary: 'input' });
    await expect(chat(spec, 'hello', { llm: () => (llmCalls++, { type: 'final', content: 'hi' }) })).resolves.toBe('hi');
    expect(llmCalls).toBe(1);
  });

  it('max_turns 1: the operation runs, then the turn fails with agent_max_turns', async () => {
    let ran = 0;
    const spec = lookupAgent({ maxTurns: 1 });
    const error = await asyncErrorOf(() => chat(spec, 'x', { llm: toolThenAnswer('lookup'), operations: { lookup: () => ++ran } }));
    expect(ran).toBe(1);
    expect([error.code, error.details.reason]).toEqual(['agent_max_turns', { kind: 'max_turns_exceeded', maxTurns: 1 }]);
  });

  it('timeout 10 with a clock going 0 → 11 fails with agent_timeout before any model call', async () => {
    const times = [0, 11];
    const clock = { now: () => times.shift() ?? 11 };
    let llmCalls = 0;
    const spec = lookupAgent({ timeoutMs: 10 });
    const error = await asyncErrorOf(() => chat(spec, 'x', { clock, llm: () => (llmCalls++, { type: 'final', content: 'x' }) }));
    expect(llmCalls).toBe(0);
    expect(error.code).toBe('agent_timeout');
    expect(error.details.reason).toMatchObject({ kind: 'turn_timeout_exceeded', timeoutMs: 10, elapsedMs: 11 });
  });

  it('a hanging operation is cut off by the timeout and sees its signal aborted', async () => {
    let aborted = false;
    const spec = lookupAgent({ timeoutMs: 30 });
    const error = await asyncErrorOf(() =>
      chat(spec, 'x', {
        llm: toolThenAnswer('lookup'),
        operations: {
          lookup: (_a, ctx) =>
            new Promise(() => {
              ctx.signal.addEventListener('abort', () => (aborted = true));
            }),
        },
      }),
    );
    expect(error.code).toBe('agent_timeout');
    expect(aborted).toBe(true);
  });

  it('the caller can cancel a turn', async () => {
    const controller = new AbortController();
    const pending = chat(lookupAgent(), 'x', { signal: controller.signal, llm: () => new Promise<LlmDecision>(() => undefined) });
    controller.abort();
    expect((await asyncErrorOf(() => pending)).code).toBe('runtime_cancelled');
  });

  it('output controls can block a final answer', async () => {
    const guard = recordingControl('safe_reply', (ctx) => (ctx.boundary === 'output' && ctx.content.includes('password') ? { decision: 'block' } : 'allow'));
    const spec = lookupAgent({ outputs: [guard.control] });
    const error = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'final', content: 'the password is x' }) }));
    expect(error.details.reason).toMatchObject({ kind: 'control_blocked', control: 'safe_reply', boundary: 'output' });
    await expect(chat(spec, 'x', { llm: () => ({ type: 'final', content: 'fine' }) })).resolves.toBe('fine');
  });

  it('controls imported from a document fire exactly like TypeScript ones', async () => {
    const log: string[] = [];
    const approve = defineControl({ name: 'require_local_time_approval', call: (ctx) => (log.push(`${ctx.boundary}:${ctx.boundary === 'operation' ? ctx.operation.name : ''}`), 'allow') });
    const spec = importAgent(
      'agent: {id: a}\ntools: {actions: [local_time]}\noperations: [{name: lookup}]\ncontrols: {operations: [{control: approve, when: {kind: action, name: local_time}}]}',
      { actions: { local_time: localTime }, controls: { approve } },
    );
    const llm: Llm = (_i, j) =>
      j.results.length === 0
        ? { type: 'operations', operations: [{ name: 'lookup' }, { name: 'local_time' }] }
        : { type: 'final', content: 'ok' };
    await chat(spec, 'x', { llm, operations: { lookup: () => 1 } });
    expect(log).toEqual(['operation:local_time']);
  });
});

describe('approvals and unsafe_once (reference §8 35)', () => {
  it('an unguarded unsafe_once operation fails planning; a control or approval fixes it', async () => {
    const unsafe = defineAgent({ id: 'refund_agent', operations: [{ name: 'refund', idempotency: 'unsafe_once' }] });
    const inspection = inspectAgent(unsafe);
    expect('error' in inspection && inspection.error).toMatchObject({ code: 'invalid_argument', details: { reason: { kind: 'unsafe_once_requires_control', operation: 'refund' } } });
    expect((await asyncErrorOf(() => chat(unsafe, 'x', { llm: () => ({ type: 'final', content: 'x' }) }))).code).toBe('invalid_argument');

    const guarded = defineAgent({
      id: 'refund_agent',
      operations: [{ name: 'refund', idempotency: 'unsafe_once' }],
      controls: { operations: [{ control: recordingControl('refund_gate').control, when: { idempotency: 'unsafe_once' } }] },
    });
    expect('plan' in inspectAgent(guarded)).toBe(true);

    const approved = defineAgent({ id: 'refund_agent', operations: [{ name: 'refund', idempotency: 'unsafe_once', approval: { reason: 'refund_review', ttlMs: 30000 } }] });
    expect('plan' in inspectAgent(approved)).toBe(true);
    const noCallback = await asyncErrorOf(() => chat(approved, 'x', { llm: toolThenAnswer('refund'), operations: { refund: () => 1 } }));
    expect(noCallback.details.reason).toMatchObject({ kind: 'approval_required', operation: 'refund', reason: 'refund_review' });
    const denied = await asyncErrorOf(() => chat(approved, 'x', { llm: toolThenAnswer('refund'), operations: { refund: () => 1 }, approve: () => false }));
    expect(denied.details.reason).toMatchObject({ kind: 'approval_denied' });
    const requests: unknown[] = [];
    await expect(
      chat(approved, 'x', { llm: toolThenAnswer('refund', { id: 7 }), operations: { refund: () => 1 }, approve: (r) => (requests.push(r), true) }),
    ).resolves.toBe('done');
    expect(requests).toEqual([{ operation: 'refund', arguments: { id: 7 }, policy: expect.objectContaining({ required: true, reason: 'refund_review', ttlMs: 30000 }) }]);
  });
});

describe('result schemas (reference §8 10, 36)', () => {
  const answer = z.object({ answer: z.string(), score: z.number() });

  it('validates the final result, repairing up to max_repairs', async () => {
    const spec = importAgent('agent: {id: a, result: {ref: answer_result, max_repairs: 2}}', { resultSchemas: { answer_result: answer } });
    expect(spec.result).toMatchObject({ maxRepairs: 2 });
    expect(spec.provenance).toMatchObject({ refs: { resultSchema: 'answer_result' } });
    const replies = ['not json', '{"answer": "Ada"}', '{"answer":"Ada","score":10}'];
    const result = await runTurn(spec, 'x', { llm: () => ({ type: 'final', content: replies.shift()! }) });
    expect(result.value).toEqual({ answer: 'Ada', score: 10 });
    expect(result.events.filter((e) => e.type === 'result_repair_requested')).toHaveLength(2);
    const structured = await runTurn(spec, 'x', { llm: () => ({ type: 'final', content: 'see result', result: { answer: 'Bo', score: 1 } }) });
    expect(structured.value).toEqual({ answer: 'Bo', score: 1 });
    const failing = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'final', content: '{}' }) }));
    expect(failing.code).toBe('agent_invalid_result');
    expect(failing.details.reason).toMatchObject({ kind: 'invalid_result', attempts: 3, maxRepairs: 2 });
  });

  it('a result needs a real schema', () => {
    expect(errorOf(() => defineAgent({ id: 'a', result: { schema: { parse: () => 1 } as never } })).code).toBe('invalid_argument');
    expect(errorOf(() => importAgent('agent: {id: a, result: r}', { resultSchemas: { r: 'x' as never } })).details.reason).toMatchObject({
      kind: 'invalid_registry_value',
      registry: 'resultSchemas',
    });
  });

  it('the timeout also works with the ManualClock from contracts', async () => {
    const clock = new ManualClock(0);
    const spec = lookupAgent({ timeoutMs: 1000 });
    const error = await asyncErrorOf(() =>
      chat(spec, 'x', {
        clock,
        llm: toolThenAnswer('lookup'),
        operations: { lookup: () => (clock.advance(1001), 1) },
      }),
    );
    expect(error.code).toBe('agent_timeout');
  });
});

describe('context and preflight', () => {
  const tenant = z.object({ tenant_id: z.string(), tier: z.string().default('free') });
  const spec = importAgent('agent: {id: support_agent, context: tenant_context, instructions: Be brief.}\ntools: {actions: [local_time]}', {
    contextSchemas: { tenant_context: tenant },
    actions: { local_time: localTime },
  });

  it('preflight validates the context and shows the first prompt without calling anything', () => {
    const preflight = preflightAgent(spec, 'hi', { context: { tenant_id: 't1' } });
    expect(preflight.plan).toEqual({ specId: 'support_agent', maxTurns: 8, timeoutMs: 30000, operations: ['local_time'] });
    expect(preflight.context).toEqual({ tenant_id: 't1', tier: 'free' });
    expect(preflight.prompt.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(preflight.prompt.operations).toEqual([{ name: 'local_time', description: 'Returns the local time.', idempotency: 'idempotent', parametersSchema: localTime.parametersSchema }]);
    const bad = errorOf(() => preflightAgent(spec, 'hi', { context: { tenant_id: 7 } }));
    expect([bad.code, bad.details.reason]).toEqual(['invalid_input', { kind: 'invalid_context', issues: [{ path: 'tenant_id', message: expect.any(String) }] }]);
  });

  it('a turn refuses an invalid context before any model call and passes the parsed one on', async () => {
    let calls = 0;
    const llm: Llm = (intent) => (calls++, { type: 'final', content: JSON.stringify(intent.prompt.context) });
    const bad = await asyncErrorOf(() => chat(spec, 'x', { llm, context: {} }));
    expect(bad.code).toBe('invalid_input');
    expect(calls).toBe(0);
    await expect(chat(spec, 'x', { llm, context: { tenant_id: 't1' } })).resolves.toBe('{"tenant_id":"t1","tier":"free"}');
  });
});

describe('defineAction', () => {
  it('rejects malformed definitions with a typed error', () => {
    expect(errorOf(() => defineAction({ name: 'bad name', input: z.object({}), run: () => 1 })).code).toBe('invalid_argument');
    expect(errorOf(() => defineAction({ name: 'ok', input: {} as never, run: () => 1 })).code).toBe('invalid_argument');
    expect(errorOf(() => defineControl({ name: '', call: () => 'allow' })).code).toBe('invalid_argument');
  });
});
