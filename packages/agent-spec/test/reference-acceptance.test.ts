import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction, defineControl, defineResource, exportAgent, importAgent, inspectAgent } from '../src';
import { errorOf, localTime, readAccount, updateAccount } from './support/fixtures';

const echo = defineAction({ name: 'echo_value', description: 'Echoes.', input: z.object({ value: z.string() }), run: (a) => a });
const echoControl = defineControl({ name: 'echo_control', call: () => 'allow' });
const reason = (fn: () => unknown) => errorOf(fn).details.reason as Record<string, unknown>;

describe('reference acceptance cases (jidoka_import.md §8)', () => {
  it('1. minimal flat load: defaults, model ref, no operations', () => {
    const spec = importAgent({ id: 'import_minimal_agent', model: { provider: 'test', id: 'minimal-model' } });
    expect(spec.instructions).toBe('You are a helpful assistant.');
    expect(inspectAgent(spec).spec.model).toBe('test:minimal-model');
    expect(spec.operations).toEqual([]);
    expect(spec.provenance).toMatchObject({ kind: 'import', source: { kind: 'object' } });
  });

  it('2. YAML with an explicit operation; format detected', () => {
    const spec = importAgent(
      'agent: {id: import_yaml_agent, model: {provider: test, id: yaml-model}, instructions: Loaded from YAML.}\noperations: [{name: lookup, description: Looks up a value., idempotency: pure}]\n',
    );
    expect(spec.operations.map((op) => [op.name, op.idempotency, op.origin])).toEqual([['lookup', 'pure', 'declared']]);
    expect(spec.provenance).toMatchObject({ source: { kind: 'string', format: 'yaml' } });
  });

  it('3. size, depth and node limits (see limits-and-trust.test.ts for the hostile cases)', () => {
    expect(reason(() => importAgent('{"agent":{"id":"a"}}', { limits: { maxBytes: 10 } }))).toMatchObject({ kind: 'import_limit_exceeded', limit: 'bytes', actual: 20, max: 10 });
    expect(reason(() => importAgent('{"a":{"b":{"c":"d"}}}', { limits: { maxDepth: 1 } }))).toMatchObject({ limit: 'depth', max: 1 });
    expect(reason(() => importAgent('{"agent":{"id":"a"}}', { limits: { maxNodes: 2 } }))).toMatchObject({ limit: 'nodes', max: 2 });
  });

  it('4. YAML merge anchors fail when off and work when on', () => {
    const doc = 'agent: {<<: &d {id: merged, model: {provider: test, id: m}}, instructions: Hi.}';
    expect(errorOf(() => importAgent(doc)).code).toBe('invalid_argument');
    expect(importAgent(doc, { yamlMergeKeys: true }).id).toBe('merged');
  });

  it('5. approval round trip through JSON export', () => {
    const spec = importAgent({
      agent: { id: 'refund_agent' },
      operations: [{ name: 'refund', idempotency: 'unsafe_once', approval: { reason: 'refund_review', message: 'Check it', ttl_ms: 30000, metadata: { risk: 'high' } } }],
    });
    const again = importAgent(exportAgent(spec, { format: 'json' }));
    expect(again.operations[0]!.approval).toEqual({ required: true, mode: 'pre_execution', reason: 'refund_review', message: 'Check it', ttlMs: 30000, metadata: { risk: 'high' } });
    expect(inspectAgent(again)).toEqual(inspectAgent(spec));
  });

  it('6. memory with a digit-string max_entries', () => {
    expect(importAgent({ agent: { id: 'a', memory: { scope: 'session', max_entries: '3' } } }).memory).toMatchObject({ scope: 'session', maxEntries: 3 });
    expect(importAgent({ agent: { id: 'a', memory: true } }).memory).toMatchObject({ scope: 'agent', maxEntries: 5, capture: 'manual' });
    expect(importAgent({ agent: { id: 'a', memory: false } }).memory).toBeNull();
  });

  it('7. version 2 is unsupported', () => {
    const error = errorOf(() => importAgent({ version: 2, agent: { id: 'a' } }));
    expect([error.code, error.details.reason]).toEqual(['unsupported_import_document_version', { kind: 'unsupported_import_document_version', version: 2, supported: [1] }]);
    expect(errorOf(() => importAgent({ version: '1', agent: { id: 'a' } })).code).toBe('invalid_argument');
  });

  it('8. the operation name comes from the action, not from the ref', () => {
    const spec = importAgent({ agent: { id: 'a' }, tools: { actions: [{ ref: 'echo' }] } }, { actions: { echo } });
    expect(spec.operations.map((op) => op.name)).toEqual(['echo_value']);
    expect(spec.operations[0]!.metadata).toEqual({ source: 'action', action: 'echo_value' });
    expect(inspectAgent(spec).spec.operations[0]!.kind).toBe('action');
  });

  it('9. an operation control keeps its match', () => {
    const spec = importAgent(
      { agent: { id: 'a' }, tools: { actions: ['echo'] }, controls: { operations: [{ control: 'echo_control', when: { kind: 'action', name: 'echo_value' } }] } },
      { actions: { echo }, controls: { echo_control: echoControl } },
    );
    expect(spec.controls.operations).toEqual([{ control: echoControl, match: { kind: 'action', name: 'echo_value' }, metadata: {} }]);
  });

  it('10. result ref with max_repairs', () => {
    const answer = z.object({ answer: z.string(), score: z.number() });
    const spec = importAgent({ agent: { id: 'a', result: { ref: 'answer_result', max_repairs: 2 } } }, { resultSchemas: { answer_result: answer } });
    expect(spec.result).toEqual({ schema: answer, maxRepairs: 2, metadata: {} });
    expect(spec.provenance).toMatchObject({ refs: { resultSchema: 'answer_result' } });
    expect(inspectAgent(spec).spec.result).toEqual({ schema: true, maxRepairs: 2, metadata: {} });
    expect(spec.result!.schema.parse({ answer: 'Ada', score: 10 })).toEqual({ answer: 'Ada', score: 10 });
  });

  it('11. singular control aliases', () => {
    const controls = { c: echoControl };
    const spec = importAgent({ agent: { id: 'a' }, controls: { input: { control: 'c' }, operation: { control: 'c' }, output: { control: 'c' } } }, { controls });
    expect([spec.controls.inputs.length, spec.controls.operations.length, spec.controls.outputs.length]).toEqual([1, 1, 1]);
    expect(spec.controls.operations[0]!.match).toEqual({});
  });

  it('12. legacy control keys are rejected', () => {
    expect(reason(() => importAgent({ agent: { id: 'a' }, controls: { result: { control: 'c' } } }))).toMatchObject({ kind: 'unsupported_control_key', key: 'result', replacement: 'outputs' });
    expect(reason(() => importAgent({ agent: { id: 'a' }, controls: { results: [] } }))).toMatchObject({ kind: 'unsupported_control_key', key: 'results' });
  });

  it('13. unknown ref and duplicate operations', () => {
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { actions: ['missing'] } }))).toEqual({
      kind: 'unknown_registry_ref',
      registry: 'actions',
      ref: 'missing',
      path: 'tools.actions.0.ref',
    });
    expect(reason(() => importAgent({ agent: { id: 'a' }, operations: [{ name: 'lookup' }, { name: 'lookup' }] }))).toEqual({ kind: 'duplicate_operation', name: 'lookup' });
  });

  it('14. no ref magic', () => {
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { actions: ['Elixir.String'] } }, { actions: { echo } }))).toMatchObject({ ref: 'Elixir.String' });
    const weird = new Map<unknown, unknown>([[['missing'], echo]]) as unknown as Map<string, typeof echo>;
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { actions: ['missing'] } }, { actions: weird }))).toMatchObject({ kind: 'unknown_registry_ref' });
  });

  it('15. JSON import with a forced format', () => {
    const spec = importAgent('{"agent": {"id": "json_agent", "model": {"provider": "test", "id": "json-model"}}}', { format: 'json' });
    expect(spec.model).toEqual({ provider: 'test', id: 'json-model' });
  });

  it('16. export round trip with generation, memory, operation metadata and controls', () => {
    const spec = importAgent(
      {
        agent: { id: 'export_agent', generation: { params: { temperature: 0.2, max_tokens: 64 } }, memory: { scope: 'session', max_entries: 4 } },
        operations: [{ name: 'lookup', metadata: { kind: 'tool', owner: 'tests' } }],
        controls: { max_turns: 3, timeout_ms: 1000, operation: { control: 'EchoControl', match: { kind: 'tool', name: 'lookup' } } },
      },
      { controls: { EchoControl: echoControl } },
    );
    const doc = exportAgent(spec) as { operations: Array<{ metadata: Record<string, unknown> }> };
    doc.operations[0]!.metadata.owner = 'changed';
    expect(spec.operations[0]!.metadata.owner).toBe('tests');
    // Re-import with the controls registry keyed by the control's published name.
    const again = importAgent(exportAgent(spec), { controls: { echo_control: echoControl } });
    expect(inspectAgent(again).spec.operations[0]!.kind).toBe('tool');
    expect(again.controls.maxTurns).toBe(3);
    expect(inspectAgent(again)).toEqual(inspectAgent(spec));
  });

  it('17. YAML export; a result schema without a ref is unexportable unless registries name it', () => {
    const answer = z.object({ answer: z.string() });
    const plain = importAgent({ agent: { id: 'a' } });
    expect(inspectAgent(importAgent(exportAgent(plain, { format: 'yaml' })))).toEqual(inspectAgent(plain));
    const typed = importAgent({ agent: { id: 'a', result: 'answer' } }, { resultSchemas: { answer } });
    const fromTs = { ...typed, provenance: { kind: 'define' as const } };
    expect(reason(() => exportAgent(fromTs, { format: 'yaml' }))).toEqual({ kind: 'unexportable_result_schema', registry: 'resultSchemas' });
    const yaml = exportAgent(fromTs, { format: 'yaml', registries: { resultSchemas: { answer_v2: answer } } });
    expect(yaml).toContain('ref: answer_v2');
    expect(inspectAgent(importAgent(yaml, { resultSchemas: { answer_v2: answer } }))).toEqual(inspectAgent(typed));
  });

  it('18. several tool sources in one document, in source order', () => {
    const accounts = defineResource({ name: 'account_resource', actions: [readAccount, updateAccount] });
    const spec = importAgent(
      {
        agent: { id: 'tools_agent' },
        tools: {
          ash_resources: [{ ref: 'account_resource', actions: ['read_account'], metadata: { risk: 'low' } }],
          browsers: [{ name: 'docs', mode: 'search', allow: ['docs.example.com'] }],
          mcp_tools: [
            {
              endpoint: 'demo_mcp',
              prefix: 'mcp_',
              transport: { type: 'stdio', command: 'echo' },
              client_info: { name: 'tests' },
              protocol_version: '2025-06-18',
              capabilities: { tools: {} },
              timeouts: { request_ms: 777 },
              tools: [{ name: 'lookup_policy', description: 'Looks up a policy.', input_schema: { type: 'object' } }],
            },
          ],
        },
      },
      { resources: { account_resource: accounts } },
    );
    expect(spec.operations.map((op) => op.name)).toEqual(['read_account', 'search_web', 'mcp_lookup_policy']);
    expect(spec.operations[0]!.metadata).toEqual({ risk: 'low', source: 'resource', kind: 'resource', resource: 'account_resource', action: 'read_account' });
    expect(spec.tools.map((t) => t.source)).toEqual(['resource', 'browser', 'mcp']);
    expect(spec.tools[2]).toMatchObject({ endpoint: 'demo_mcp', timeouts: { request_ms: 777 }, protocolVersion: '2025-06-18', clientInfo: { name: 'tests' } });
    expect(inspectAgent(importAgent(exportAgent(spec), { resources: { account_resource: accounts } }))).toEqual(inspectAgent(spec));
    // Catalogs have no meaning here and are refused by name.
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { catalogs: [{ ref: 'account_catalog' }] } }))).toEqual({
      kind: 'unsupported_tool_source',
      source: 'catalogs',
      path: 'tools.catalogs',
    });
  });

  it('19. a required MCP endpoint without static tools', () => {
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { mcp_tools: [{ endpoint: 'remote_mcp', required: true }] } }))).toEqual({
      kind: 'mcp_tool_discovery_disabled',
      endpoint: 'remote_mcp',
    });
    expect(importAgent({ agent: { id: 'a' }, tools: { mcp_tools: ['remote_mcp'] } }).operations).toEqual([]);
  });

  it('20. unknown resource refs', () => {
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { ash_resources: ['nope'] } }))).toEqual({
      kind: 'unknown_registry_ref',
      registry: 'resources',
      ref: 'nope',
      path: 'tools.resources.0.ref',
    });
  });

  it('23. an operation control without when matches everything; controls with inputs', () => {
    const c2 = defineControl({ name: 'second', call: () => 'allow' });
    const spec = importAgent(
      { agent: { id: 'a' }, controls: { max_turns: 3, timeout: 1000, inputs: ['echo_control', 'second'], operations: [{ control: 'echo_control', when: { name: 'x' } }, { control: 'second' }] } },
      { controls: { echo_control: echoControl, second: c2 } },
    );
    expect(spec.controls.operations.map((o) => o.match)).toEqual([{ name: 'x' }, {}]);
    expect(spec.controls).toMatchObject({ maxTurns: 3, timeoutMs: 1000 });
    expect(spec.controls.inputs.map((i) => i.control.name)).toEqual(['echo_control', 'second']);
  });

  it('duplicate controls are errors', () => {
    const controls = { c: echoControl };
    expect(reason(() => importAgent({ agent: { id: 'a' }, controls: { inputs: ['c', 'c'] } }, { controls }))).toEqual({ kind: 'duplicate_input_control', control: 'echo_control' });
    expect(reason(() => importAgent({ agent: { id: 'a' }, controls: { outputs: ['c', 'c'] } }, { controls }))).toEqual({ kind: 'duplicate_output_control', control: 'echo_control' });
    expect(reason(() => importAgent({ agent: { id: 'a' }, controls: { operations: [{ control: 'c', when: { name: 'x' } }, { control: 'c', when: { name: 'x' } }] } }, { controls }))).toMatchObject({
      kind: 'duplicate_operation_control',
    });
    expect(importAgent({ agent: { id: 'a' }, controls: { operations: [{ control: 'c', when: { name: 'x' } }, { control: 'c', when: { name: 'y' } }] } }, { controls }).controls.operations).toHaveLength(2);
  });

  it('aliases given twice, bad approvals, bad kinds and bad idempotency are typed errors', () => {
    expect(reason(() => importAgent({ agent: { id: 'a', context: 'x', context_schema: 'y' } }))).toMatchObject({ kind: 'conflicting_keys' });
    expect(reason(() => importAgent({ agent: { id: 'a' }, controls: { timeout: 1, timeout_ms: 2 } }))).toMatchObject({ kind: 'conflicting_keys', keys: ['timeout_ms', 'timeout'] });
    expect(errorOf(() => importAgent({ agent: { id: 'a' }, tools: { actions: [{ ref: 'local_time', approval: 'maybe' }] } }, { actions: { local_time: localTime } })).details.issues).toEqual([
      { path: 'tools.actions.0.approval', message: expect.any(String) },
    ]);
    expect(errorOf(() => importAgent({ agent: { id: 'a' }, operations: [{ name: 'x', idempotency: 'Pure' }] })).details.issues).toEqual([
      { path: 'operations.0.idempotency', message: expect.any(String) },
    ]);
    expect(errorOf(() => importAgent({ agent: { id: 'a' }, controls: { operations: [{ control: 'c', when: { kind: 'catalog' } }] } })).details.issues).toEqual([
      { path: 'controls.operations.0.when.kind', message: expect.any(String) },
    ]);
    // Kinds are compared case-insensitively after trimming.
    expect(importAgent({ agent: { id: 'a' }, controls: { operations: [{ control: 'c', when: { kind: ' Action ' } }] } }, { controls: { c: echoControl } }).controls.operations[0]!.match).toEqual({ kind: 'action' });
  });

  it('entry approvals apply to the operations they name', () => {
    const accounts = defineResource({ name: 'accounts', actions: [readAccount, updateAccount] });
    const spec = importAgent({ agent: { id: 'a' }, tools: { resources: [{ ref: 'accounts', approval: { only: ['unsafe_once'], reason: 'writes' } }] } }, { resources: { accounts } });
    expect(spec.operations.map((op) => [op.name, op.approval?.reason ?? null])).toEqual([
      ['read_account', null],
      ['update_account', 'writes'],
    ]);
    const except = importAgent({ agent: { id: 'a' }, tools: { resources: [{ ref: 'accounts', approval: { except: ['read_account'] } }] } }, { resources: { accounts } });
    expect(except.operations.map((op) => op.approval !== null)).toEqual([false, true]);
    expect(reason(() => importAgent({ agent: { id: 'a' }, tools: { resources: [{ ref: 'accounts', actions: ['delete_account'] }] } }, { resources: { accounts } }))).toEqual({
      kind: 'unknown_resource_action',
      resource: 'accounts',
      actions: ['delete_account'],
    });
  });

  it('agent and document metadata and runtime defaults', () => {
    const spec = importAgent({ agent: { id: 'a', metadata: { owner: 'agent' }, runtime_defaults: { max_turns: 2 } }, metadata: { owner: 'doc', team: 'x' }, runtime_defaults: { max_turns: 9 } });
    expect(spec.metadata).toEqual({ owner: 'agent', team: 'x' });
    expect(spec.runtimeDefaults).toEqual({ max_turns: 2 });
    const plan = inspectAgent(spec);
    expect('plan' in plan && plan.plan.maxTurns).toBe(2);
    expect(importAgent({ agent: { id: 'a' }, runtime_defaults: { timeout_ms: 5 } }).runtimeDefaults).toEqual({ timeout_ms: 5 });
  });
});
