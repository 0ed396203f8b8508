import { describe, expect, it } from 'vitest';
import { chat, defineAgent, importAgent, inspectAgent, safeImportAgent, type LlmDecision } from '../src';
import {
  accountResource,
  errorOf,
  localTime,
  minimalYaml,
  noSecrets,
  readAccount,
  requireApproval,
  safeReply,
  supportContext,
  supportJson,
  supportRegistries,
  supportResult,
  supportYaml,
} from './support/fixtures';

describe('seed: quick example (minimal YAML)', () => {
  it('imports to a spec with one local_time action operation', () => {
    const spec = importAgent(minimalYaml, { actions: { local_time: localTime } });
    expect(spec.id).toBe('time_agent');
    expect(spec.model).toEqual({ provider: 'openai', id: 'gpt-4o-mini' });
    expect(spec.instructions).toBe('Call local_time when asked for the time.');
    expect(spec.operations.map((op) => op.name)).toEqual(['local_time']);
    expect(spec.operations[0]).toMatchObject({
      name: 'local_time',
      description: 'Returns the local time.',
      idempotency: 'idempotent',
      origin: 'action',
      metadata: { source: 'action', action: 'local_time' },
    });
    expect(spec.operations[0]!.action).toBe(localTime);
    expect(spec.provenance).toMatchObject({ kind: 'import', version: 1, source: { kind: 'string', format: 'yaml' }, warnings: [] });
  });

  it('chats with a fake LLM: first an operation, then the final answer', async () => {
    const spec = importAgent(minimalYaml, { actions: { local_time: localTime } });
    const llm = (_intent: unknown, journal: { results: unknown[] }): LlmDecision =>
      journal.results.length === 0 ? { type: 'operation', name: 'local_time', arguments: {} } : { type: 'final', content: '09:30' };
    await expect(chat(spec, 'What time is it in Chicago?', { llm })).resolves.toBe('09:30');
  });

  it('the same spec comes back from TypeScript, JSON and YAML', () => {
    const fromYaml = importAgent(minimalYaml, { actions: { local_time: localTime } });
    const fromJson = importAgent(
      JSON.stringify({
        version: 1,
        agent: { id: 'time_agent', model: 'openai:gpt-4o-mini', instructions: 'Call local_time when asked for the time.' },
        tools: { actions: ['local_time'] },
      }),
      { format: 'json', actions: { local_time: localTime } },
    );
    const fromTs = defineAgent({
      id: 'time_agent',
      model: 'openai:gpt-4o-mini',
      instructions: 'Call local_time when asked for the time.',
      tools: { actions: [localTime] },
    });
    expect(inspectAgent(fromJson)).toEqual(inspectAgent(fromYaml));
    expect(inspectAgent(fromTs)).toEqual(inspectAgent(fromYaml));
    expect(fromJson.provenance).toMatchObject({ source: { kind: 'string', format: 'json' } });
  });
});

describe('seed: the full support-agent document', () => {
  const expectSupportSpec = (spec: ReturnType<typeof importAgent>) => {
    expect(spec.id).toBe('support_agent');
    expect(spec.contextSchema).toBe(supportContext);
    expect(spec.result).toEqual({ schema: supportResult, maxRepairs: 1, metadata: {} });
    expect(spec.memory).toEqual({
      enabled: true,
      scope: 'session',
      namespace: null,
      capture: 'conversation',
      inject: 'instructions',
      maxEntries: 8,
      metadata: {},
    });
    expect(spec.operations.map((op) => [op.name, op.origin])).toEqual([
      ['local_time', 'action'],
      ['read_account', 'resource'],
      ['search_web', 'browser'],
      ['read_page', 'browser'],
      ['snapshot_url', 'browser'],
    ]);
    expect(spec.operations[1]!.action).toBe(readAccount);
    expect(spec.operations[2]!.metadata).toEqual({ source: 'browser', kind: 'browser', browser: 'docs', mode: 'read_only', allow: ['docs.example.com'] });
    expect(spec.tools.map((t) => t.source)).toEqual(['action', 'resource', 'browser']);
    expect(spec.controls.maxTurns).toBe(8);
    expect(spec.controls.timeoutMs).toBe(30000);
    expect(spec.controls.inputs).toEqual([{ control: noSecrets.control, metadata: {} }]);
    expect(spec.controls.operations).toEqual([{ control: requireApproval.control, match: { kind: 'action', name: 'local_time' }, metadata: {} }]);
    expect(spec.controls.outputs).toEqual([{ control: safeReply.control, metadata: {} }]);
    expect(spec.provenance).toMatchObject({ refs: { contextSchema: 'support_context', resultSchema: 'support_result' }, warnings: [] });
  };

  it('imports from YAML with registries passed as `registries`', () => {
    expectSupportSpec(importAgent(supportYaml, { registries: supportRegistries }));
  });

  it('imports from YAML with registries passed as top-level options (equivalent)', () => {
    const a = importAgent(supportYaml, { registries: supportRegistries });
    const b = importAgent(supportYaml, { ...supportRegistries });
    expect(inspectAgent(b)).toEqual(inspectAgent(a));
  });

  it('imports from the JSON form (detected and forced) to the same spec', () => {
    const yaml = importAgent(supportYaml, { registries: supportRegistries });
    const detected = importAgent(supportJson, { registries: supportRegistries });
    const forced = importAgent(supportJson, { format: 'json', registries: supportRegistries });
    expectSupportSpec(detected);
    expect(inspectAgent(detected)).toEqual(inspectAgent(yaml));
    expect(inspectAgent(forced)).toEqual(inspectAgent(yaml));
    // JSON is also valid YAML 1.2, so forcing YAML reads the same document.
    expect(inspectAgent(importAgent(supportJson, { format: 'yaml', registries: supportRegistries }))).toEqual(inspectAgent(yaml));
  });

  it('equals the TypeScript definition of the same agent', () => {
    const ts = defineAgent({
      id: 'support_agent',
      model: 'openai:gpt-4o-mini',
      instructions: 'Answer support questions tersely.',
      context: supportContext,
      result: { schema: supportResult, maxRepairs: 1 },
      memory: { scope: 'session', capture: 'conversation', maxEntries: 8 },
      tools: {
        actions: [localTime],
        resources: [{ resource: accountResource, actions: ['read_account'] }],
        browsers: [{ name: 'docs', mode: 'read_only', allow: ['docs.example.com'] }],
      },
      controls: {
        maxTurns: 8,
        timeoutMs: 30000,
        inputs: [noSecrets.control],
        operations: [{ control: requireApproval.control, when: { kind: 'action', name: 'local_time' } }],
        outputs: [safeReply.control],
      },
    });
    expect(inspectAgent(ts)).toEqual(inspectAgent(importAgent(supportYaml, { registries: supportRegistries })));
  });
});

describe('seed: troubleshooting table', () => {
  it('unknown_registry_ref when a ref is not in the matching registry (and refs are case sensitive)', () => {
    const error = errorOf(() => importAgent(minimalYaml, { actions: {} }));
    expect(error.code).toBe('unknown_registry_ref');
    expect(error.category).toBe('validation');
    expect(error.details.reason).toEqual({ kind: 'unknown_registry_ref', registry: 'actions', ref: 'local_time', path: 'tools.actions.0.ref' });
    const cased = errorOf(() => importAgent(minimalYaml, { actions: { Local_Time: localTime } }));
    expect(cased.details.reason).toMatchObject({ kind: 'unknown_registry_ref', ref: 'local_time' });
    const result = safeImportAgent(minimalYaml, { actions: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('unknown_registry_ref');
  });

  it('unsupported_import_document_version when the version is not 1', () => {
    const error = errorOf(() => importAgent(minimalYaml.replace('version: 1', 'version: 2'), { actions: { local_time: localTime } }));
    expect(error.code).toBe('unsupported_import_document_version');
    expect(error.details.reason).toEqual({ kind: 'unsupported_import_document_version', version: 2, supported: [1] });
  });

  it('unsupported_import_format when format is neither json nor yaml', () => {
    for (const format of ['xml', 'JSON', ':json', 1, null]) {
      const error = errorOf(() => importAgent(minimalYaml, { format: format as never, actions: { local_time: localTime } }));
      expect(error.code).toBe('unsupported_import_format');
      expect((error.details.reason as { kind: string }).kind).toBe('unsupported_import_format');
    }
  });

  it('top-level keys without an agent block: known agent keys are wrapped, unknown ones are reported', () => {
    const flat = JSON.stringify({ id: 'flat_agent', model: 'test:m', description: 'not an agent key', tools: { actions: ['local_time'] } });
    const warnings: unknown[] = [];
    const spec = importAgent(flat, { actions: { local_time: localTime }, onWarning: (w) => warnings.push(w) });
    expect(spec.id).toBe('flat_agent');
    expect(spec.operations.map((o) => o.name)).toEqual(['local_time']);
    expect(warnings).toEqual([{ kind: 'unknown_key', key: 'description', path: 'description' }]);
    expect(spec.provenance.kind === 'import' && spec.provenance.warnings).toEqual(warnings);
    const strict = errorOf(() => importAgent(flat, { actions: { local_time: localTime }, strict: true }));
    expect(strict.code).toBe('invalid_argument');
    expect(strict.details.issues).toEqual([{ path: '(root)', message: 'unknown keys "description"' }]);
    // Nothing agent-like at all: `agent` is reported as required.
    const missing = errorOf(() => importAgent('{"name": "support"}'));
    expect(missing.code).toBe('invalid_argument');
    expect(missing.details.issues).toContainEqual({ path: 'agent', message: 'Invalid input: expected object, received undefined' });
  });

  it('a when: clause with a key operations do not have is an error, and inspect shows the keys to match on', () => {
    const doc = `agent: {id: a}\ntools: {actions: [local_time]}\ncontrols:\n  operations:\n    - control: require_approval\n      when: {kind: action, tool: local_time}\n`;
    const error = errorOf(() => importAgent(doc, { actions: { local_time: localTime }, controls: { require_approval: requireApproval.control } }));
    expect(error.code).toBe('invalid_argument');
    expect(error.details.issues).toEqual([
      { path: 'controls.operations.0.when', message: 'unknown match keys "tool"; a match may use kind, name, source, idempotency, metadata' },
    ]);
    const spec = importAgent(doc.replace('tool: local_time', 'name: local_time'), {
      actions: { local_time: localTime },
      controls: { require_approval: requireApproval.control },
    });
    expect(inspectAgent(spec).spec.operations[0]).toMatchObject({ name: 'local_time', kind: 'action', source: 'action', metadata: { source: 'action', action: 'local_time' } });
  });
});
