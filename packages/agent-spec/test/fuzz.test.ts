import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import YAML from 'yaml';
import { isIntegrationError } from '@integration/contracts';
import { chat, exportAgent, importAgent, inspectAgent, safeImportAgent, type LlmDecision } from '../src';
import { supportJson, supportRegistries, supportYaml } from './support/fixtures';

/** The property: a spec, or a typed IntegrationError; never another throw. */
function importsOrFailsTyped(source: unknown, options: Parameters<typeof importAgent>[1] = { registries: supportRegistries }): boolean {
  try {
    const spec = importAgent(source, options);
    return typeof spec.id === 'string';
  } catch (error) {
    if (!isIntegrationError(error)) throw error;
    expect(typeof (error.details.reason as { kind?: unknown } | undefined)?.kind).toBe('string');
    return true;
  }
}

const keys = [
  'version', 'agent', 'id', 'model', 'provider', 'instructions', 'generation', 'params', 'context', 'context_schema', 'ref', 'schema_ref',
  'result', 'max_repairs', 'memory', 'scope', 'max_entries', 'tools', 'actions', 'action', 'resources', 'ash_resources', 'browsers',
  'name', 'mode', 'allow', 'mcp_tools', 'endpoint', 'prefix', 'catalogs', 'approval', 'only', 'except', 'ttl_ms', 'controls',
  'max_turns', 'timeout', 'timeout_ms', 'inputs', 'input', 'operations', 'operation', 'outputs', 'control', 'when', 'match', 'kind',
  'idempotency', 'metadata', 'runtime_defaults', 'required', '__proto__', 'constructor', 'toString', '<<',
];
const scalars = fc.oneof(
  fc.constantFrom('local_time', 'account_resource', 'no_secrets', 'support_context', 'support_result', 'read_account', 'action', 'session',
    'read_only', 'search', 'pure', 'unsafe_once', 'openai:gpt-4o-mini', 'a', '', 'Local_Time', '__proto__', 'constructor', '1', '-1'),
  fc.integer({ min: -3, max: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
);
const documentish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalars, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 5 }),
})).map;

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
/** Usually one of the valid values, sometimes one of the invalid ones. */
const mostly = <T>(valid: T[], invalid: unknown[] = []): fc.Arbitrary<unknown> =>
  invalid.length === 0
    ? fc.constantFrom(...valid)
    : fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 12 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 });
const listOf = <T>(valid: T[], invalid: unknown[] = []) => fc.array(mostly(valid, invalid), { maxLength: 2 });
/** Mostly valid documents with occasional bad values, so every compile stage is exercised. */
const plausible = fc.record(
  {
    version: mostly([1], [2]),
    agent: fc.record(
      {
        id: mostly(['support_agent', 'a'], ['Bad Id']),
        model: opt(mostly(['openai:gpt-4o-mini', 'test:m:1', { provider: 'p', id: 'i' }], ['nocolon'])),
        instructions: opt(mostly(['Be brief.'], [''])),
        generation: opt(mostly([{ temperature: 0.1 }, { params: { max_tokens: 5 }, extra: { a: 1 } }], [{ params: 3 }])),
        context: opt(mostly(['support_context', { ref: 'support_context' }], ['missing', 7])),
        result: opt(mostly(['support_result', { ref: 'support_result', max_repairs: 2 }], [{ ref: 'support_result', max_repairs: -1 }])),
        memory: opt(mostly([true, false, { scope: 'session', max_entries: '3' }], [{ scope: 'bogus' }])),
        metadata: opt(mostly([{ owner: 'x' }, { api_key: 'sk-1234567' }])),
      },
      { requiredKeys: ['id'] },
    ),
    tools: fc.record(
      {
        actions: listOf(['local_time', { ref: 'local_time', approval: true }, { ref: 'local_time', approval: { only: ['local_time'], ttl_ms: 5 } }], ['missing']),
        ash_resources: listOf([{ ref: 'account_resource', actions: ['read_account'] }], [{ ref: 'account_resource', actions: ['nope'] }]),
        browsers: listOf([{ name: 'docs' }, { name: 'docs', mode: 'search', allow: ['x.example'] }], [{ name: 'Bad' }]),
        mcp_tools: listOf(['ep', { endpoint: 'ep', tools: [{ name: 'lookUp', inputSchema: { type: 'object' } }] }], [{ endpoint: 'ep2', required: true }]),
        catalogs: fc.constant(undefined),
        skills: listOf(['s']),
      },
      { requiredKeys: [] },
    ),
    controls: fc.record(
      {
        max_turns: mostly([1, 3, '4'], [0]),
        timeout: mostly([1000, '2000'], [-5]),
        inputs: listOf(['no_secrets', 'safe_reply'], ['missing']),
        operations: fc.array(
          fc.record({
            control: mostly(['require_approval', 'no_secrets']),
            when: opt(mostly([{ kind: 'action' }, { name: 'local_time' }, { idempotency: 'unsafe_once' }, { metadata: { mode: 'search' } }], [{ kind: 'bogus' }, { tool: 'x' }])),
          }),
          { maxLength: 2 },
        ),
        outputs: listOf(['safe_reply']),
      },
      { requiredKeys: [] },
    ),
    operations: fc.array(
      fc.record({ name: mostly(['lookup', 'escalate'], ['search_web', 'bad name']), idempotency: opt(mostly(['pure', 'unsafe_once'], ['x'])), approval: opt(mostly([true, { reason: 'r' }])) }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['agent'] },
);

describe('fuzzing the importer', { timeout: 60_000 }, () => {
  it('plausible documents: typed errors, and every accepted one exports, re-imports equally and runs a turn', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(plausible, fc.constantFrom('object', 'json', 'yaml'), fc.nat({ max: 10 }), async (doc, form, pick) => {
        const source = form === 'object' ? doc : form === 'json' ? JSON.stringify(doc) : YAML.stringify(doc);
        const result = safeImportAgent(source, { registries: supportRegistries });
        if (!result.ok) {
          expect(isIntegrationError(result.error)).toBe(true);
          return;
        }
        accepted += 1;
        const spec = result.spec;
        const again = importAgent(exportAgent(spec, { format: 'yaml' }), { registries: supportRegistries });
        expect(inspectAgent(again)).toEqual(inspectAgent(spec));
        const target = spec.operations[pick % Math.max(1, spec.operations.length)];
        const decisions: LlmDecision[] = [
          ...(target ? [{ type: 'operation' as const, name: target.name, arguments: { accountId: 'acc_1' } }] : []),
          { type: 'final', content: '{"answer":"ok"}' },
        ];
        try {
          const content = await chat(spec, 'hello', { llm: () => decisions.shift() ?? { type: 'final', content: '{"answer":"ok"}' }, approve: () => true, operations: {} });
          expect(typeof content).toBe('string');
        } catch (error) {
          if (!isIntegrationError(error)) throw error;
        }
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(10);
  });

  it('arbitrary JSON values (decoded and as JSON text and YAML text)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        importsOrFailsTyped(value);
        importsOrFailsTyped(JSON.stringify(value) ?? 'null');
        importsOrFailsTyped(YAML.stringify(value));
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('document-shaped maps built from the schema vocabulary', () => {
    fc.assert(
      fc.property(documentish, fc.boolean(), (doc, strict) => {
        importsOrFailsTyped(doc, { registries: supportRegistries, strict });
        importsOrFailsTyped(YAML.stringify(doc), { registries: supportRegistries, strict });
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary strings, and mutations of the seed documents', () => {
    const mutate = (text: string) =>
      fc
        .array(fc.record({ at: fc.nat({ max: text.length }), cut: fc.nat({ max: 6 }), insert: fc.constantFrom('', '[', '{', ']', '}', ':', '- ', '&a ', '*a', '!!', '\n', '  ', '"', "'", '#', '<<: *a') }), { maxLength: 5 })
        .map((edits) => edits.reduce((acc, e) => acc.slice(0, e.at) + e.insert + acc.slice(e.at + e.cut), text));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), mutate(supportYaml), mutate(supportJson)), fc.constantFrom(undefined, 'json', 'yaml'), (text, format) => {
        importsOrFailsTyped(text, { registries: supportRegistries, ...(format ? { format: format as 'json' | 'yaml' } : {}) });
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary options never cause an untyped throw', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 2 }), (options) => {
        const result = safeImportAgent(supportYaml, options as never);
        return result.ok || isIntegrationError(result.error);
      }),
      { numRuns: 200 },
    );
  });
});
