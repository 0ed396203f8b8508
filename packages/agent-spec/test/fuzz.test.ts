import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import YAML from 'yaml';
import { isIntegrationError } from '@integration/contracts';
import { importAgent, safeImportAgent } from '../src';
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

describe('fuzzing the importer', { timeout: 60_000 }, () => {
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
