import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import YAML from 'yaml';
import { defineAgent, defineControl, exportAgent, importAgent, inspectAgent, type DefineAgentInput, type ImportOptions } from '../src';
import { accountResource, localTime } from './support/fixtures';

const tenantContext = z.object({ tenant_id: z.string() });
const answer = z.object({ answer: z.string() });
const approveTime = defineControl({ name: 'require_local_time_approval', call: () => 'allow' });
const noSecrets = defineControl({ name: 'no_secrets', call: () => 'allow' });
const safeReply = defineControl({ name: 'safe_reply', call: () => 'allow' });

const registries: ImportOptions['registries'] = {
  actions: { local_time: localTime },
  resources: { account_resource: accountResource },
  controls: { require_local_time_approval: approveTime, no_secrets: noSecrets, safe_reply: safeReply },
  contextSchemas: { tenant_context: tenantContext },
  resultSchemas: { answer },
};

/** One row per document feature: the document (YAML) and the same agent written with defineAgent. */
const features: Array<[feature: string, yaml: string, ts: DefineAgentInput]> = [
  ['minimal agent', 'agent: {id: minimal_agent}', { id: 'minimal_agent' }],
  ['model as provider:id', 'agent: {id: a, model: "anthropic:claude-x:latest"}', { id: 'a', model: { provider: 'anthropic', id: 'claude-x:latest' } }],
  ['model as a map', 'agent: {id: a, model: {provider: test, id: m}}', { id: 'a', model: 'test:m' }],
  ['instructions', 'agent: {id: a, instructions: Be brief.}', { id: 'a', instructions: 'Be brief.' }],
  ['generation params shorthand', 'agent: {id: a, generation: {temperature: 0.2, max_tokens: 64}}', { id: 'a', generation: { params: { temperature: 0.2, max_tokens: 64 } } }],
  [
    'generation full form',
    'agent: {id: a, generation: {params: {top_p: 1}, provider_options: {seed: 7}, extra: {tag: x}}}',
    { id: 'a', generation: { params: { top_p: 1 }, providerOptions: { seed: 7 }, extra: { tag: 'x' } } },
  ],
  ['context ref', 'agent: {id: a, context: {ref: tenant_context}}', { id: 'a', context: tenantContext }],
  ['result ref shorthand', 'agent: {id: a, result: answer}', { id: 'a', result: answer }],
  ['result with repairs and metadata', 'agent: {id: a, result: {ref: answer, max_repairs: 3, metadata: {v: 2}}}', { id: 'a', result: { schema: answer, maxRepairs: 3, metadata: { v: 2 } } }],
  [
    'memory',
    'agent: {id: a, memory: {enabled: true, scope: session, namespace: support, capture: conversation, inject: context, max_entries: 8, metadata: {ttl: 1}}}',
    { id: 'a', memory: { enabled: true, scope: 'session', namespace: 'support', capture: 'conversation', inject: 'context', maxEntries: 8, metadata: { ttl: 1 } } },
  ],
  ['memory: true', 'agent: {id: a, memory: true}', { id: 'a', memory: true }],
  ['runtime defaults (agent)', 'agent: {id: a, runtime_defaults: {max_turns: 4}}', { id: 'a', runtimeDefaults: { max_turns: 4 } }],
  ['runtime defaults (document)', 'agent: {id: a}\nruntime_defaults: {timeout_ms: 900}', { id: 'a', runtimeDefaults: { timeout_ms: 900 } }],
  ['metadata', 'agent: {id: a}\nmetadata: {owner: support, flags: [beta]}', { id: 'a', metadata: { owner: 'support', flags: ['beta'] } }],
  ['actions', 'agent: {id: a}\ntools: {actions: [local_time]}', { id: 'a', tools: { actions: [localTime] } }],
  [
    'action with approval',
    'agent: {id: a}\ntools: {actions: [{ref: local_time, approval: {reason: check, ttl_ms: 500}}]}',
    { id: 'a', tools: { actions: [{ action: localTime, approval: { reason: 'check', ttlMs: 500 } }] } },
  ],
  [
    'resources',
    'agent: {id: a}\ntools: {resources: [{ref: account_resource, actions: [read_account], description: Reads., idempotency: pure, metadata: {risk: low}}]}',
    { id: 'a', tools: { resources: [{ resource: accountResource, actions: ['read_account'], description: 'Reads.', idempotency: 'pure', metadata: { risk: 'low' } }] } },
  ],
  [
    'resources with a scoped approval',
    'agent: {id: a}\ntools: {ash_resources: [{ref: account_resource, approval: {only: [unsafe_once]}}]}',
    { id: 'a', tools: { resources: [{ resource: accountResource, approval: { only: ['unsafe_once'] } }] } },
  ],
  [
    'browsers',
    'agent: {id: a}\ntools: {browsers: [{name: docs, mode: read_only, allow: [docs.example.com], metadata: {team: x}}]}',
    { id: 'a', tools: { browsers: [{ name: 'docs', mode: 'read_only', allow: ['docs.example.com'], metadata: { team: 'x' } }] } },
  ],
  [
    'mcp tools',
    'agent: {id: a}\ntools: {mcp_tools: [{endpoint: demo-mcp, transport: {type: stdio}, tools: [{name: lookupPolicy, description: Looks up., inputSchema: {type: object}}]}]}',
    { id: 'a', tools: { mcpTools: [{ endpoint: 'demo-mcp', transport: { type: 'stdio' }, tools: [{ name: 'lookupPolicy', description: 'Looks up.', inputSchema: { type: 'object' } }] }] } },
  ],
  [
    'explicit operations',
    'agent: {id: a}\noperations: [{name: lookup, description: Looks up., idempotency: dedupe, approval: true, metadata: {kind: tool}, parameters_schema: {type: object}}]',
    { id: 'a', operations: [{ name: 'lookup', description: 'Looks up.', idempotency: 'dedupe', approval: true, metadata: { kind: 'tool' }, parametersSchema: { type: 'object' } }] },
  ],
  [
    'controls',
    [
      'agent: {id: a}',
      'tools: {actions: [local_time]}',
      'controls:',
      '  max_turns: 3',
      '  timeout: 1000',
      '  inputs: [{control: no_secrets, metadata: {level: 2}}]',
      '  operations:',
      '    - {control: require_local_time_approval, when: {kind: action, name: local_time, source: action, idempotency: idempotent, metadata: {action: local_time}}}',
      '    - {control: no_secrets}',
      '  outputs: [safe_reply]',
      '  metadata: {reviewed: true}',
    ].join('\n'),
    {
      id: 'a',
      tools: { actions: [localTime] },
      controls: {
        maxTurns: 3,
        timeoutMs: 1000,
        inputs: [{ control: noSecrets, metadata: { level: 2 } }],
        operations: [
          { control: approveTime, when: { kind: 'action', name: 'local_time', source: 'action', idempotency: 'idempotent', metadata: { action: 'local_time' } } },
          { control: noSecrets },
        ],
        outputs: [safeReply],
        metadata: { reviewed: true },
      },
    },
  ],
];

describe('defineAgent / importAgent parity (golden, per document feature)', () => {
  for (const [feature, yaml, ts] of features) {
    it(`${feature}: YAML, JSON and TypeScript give the same spec, and export round-trips`, () => {
      const fromYaml = importAgent(yaml, { registries });
      const fromJson = importAgent(JSON.stringify(YAML.parse(yaml)), { registries });
      const fromTs = defineAgent(ts);
      expect(fromYaml.provenance).toMatchObject({ kind: 'import', warnings: [] });
      expect(inspectAgent(fromYaml)).toEqual(inspectAgent(fromTs));
      expect(inspectAgent(fromJson)).toEqual(inspectAgent(fromTs));
      // The operations themselves (including the bound executables) are identical.
      expect(fromYaml.operations).toEqual(fromTs.operations);
      for (const format of ['object', 'json', 'yaml'] as const) {
        const exported = exportAgent(fromTs, { format: format as 'json', registries });
        expect(inspectAgent(importAgent(exported, { registries }))).toEqual(inspectAgent(fromTs));
      }
    });
  }
});

describe('golden projections (reference §8 21–22)', () => {
  it('the default minimal projection and plan', () => {
    expect(inspectAgent(defineAgent({ id: 'minimal_agent' }))).toEqual({
      kind: 'agent',
      spec: {
        id: 'minimal_agent',
        instructions: 'You are a helpful assistant.',
        model: 'openai:gpt-4o-mini',
        generation: { params: { temperature: 0, max_tokens: 500 }, providerOptions: {}, extra: {} },
        contextSchema: false,
        result: null,
        memory: null,
        tools: [],
        operations: [],
        controls: { maxTurns: null, timeoutMs: null, inputs: [], operations: [], outputs: [], metadata: {} },
        runtimeDefaults: {},
        metadata: {},
      },
      plan: { specId: 'minimal_agent', maxTurns: 8, timeoutMs: 30000, operations: [] },
    });
  });

  const goldenYaml = `version: 1
agent:
  id: import_golden_time_agent
  model: {provider: test, id: import-golden-model}
  generation: {temperature: 0.0, max_tokens: 64}
  instructions: Call local_time when asked for the time.
  context: {ref: tenant_context}
tools: {actions: [local_time]}
controls: {operations: [{control: require_local_time_approval, when: {kind: action, name: local_time}}]}
`;

  it('the golden time agent: YAML, JSON and TypeScript project to this literal', () => {
    const expected = {
      kind: 'agent',
      spec: {
        id: 'import_golden_time_agent',
        instructions: 'Call local_time when asked for the time.',
        model: 'test:import-golden-model',
        generation: { params: { temperature: 0, max_tokens: 64 }, providerOptions: {}, extra: {} },
        contextSchema: true,
        result: null,
        memory: null,
        tools: [{ source: 'action', action: 'local_time', approval: null }],
        operations: [
          {
            name: 'local_time',
            description: 'Returns the local time.',
            idempotency: 'idempotent',
            kind: 'action',
            source: 'action',
            origin: 'action',
            executable: true,
            approval: null,
            metadata: { source: 'action', action: 'local_time' },
            parametersSchema: true,
          },
        ],
        controls: {
          maxTurns: null,
          timeoutMs: null,
          inputs: [],
          operations: [{ control: 'require_local_time_approval', match: { kind: 'action', name: 'local_time' }, metadata: {} }],
          outputs: [],
          metadata: {},
        },
        runtimeDefaults: {},
        metadata: {},
      },
      plan: { specId: 'import_golden_time_agent', maxTurns: 8, timeoutMs: 30000, operations: ['local_time'] },
    };
    const ts = defineAgent({
      id: 'import_golden_time_agent',
      model: { provider: 'test', id: 'import-golden-model' },
      generation: { params: { temperature: 0, max_tokens: 64 } },
      instructions: 'Call local_time when asked for the time.',
      context: tenantContext,
      tools: { actions: [localTime] },
      controls: { operations: [{ control: approveTime, when: { kind: 'action', name: 'local_time' } }] },
    });
    expect(inspectAgent(ts)).toEqual(expected);
    expect(inspectAgent(importAgent(goldenYaml, { registries }))).toEqual(expected);
    expect(inspectAgent(importAgent(JSON.stringify(YAML.parse(goldenYaml)), { format: 'json', registries }))).toEqual(expected);
  });

  it('the projection keeps metadata as authored: nothing is guessed from key names', () => {
    const spec = importAgent({ agent: { id: 'a' }, metadata: { api_key_env: 'OPENAI_API_KEY', pin: { version: 3 }, owner: 'x' } });
    expect(inspectAgent(spec).spec.metadata).toEqual({ api_key_env: 'OPENAI_API_KEY', pin: { version: 3 }, owner: 'x' });
  });
});
