import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { importAgent, isReservedRef, loadAgent, safeImportAgent } from '../src';
import { asyncErrorOf, errorOf, localTime, minimalYaml } from './support/fixtures';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const reasonOf = (fn: () => unknown) => {
  const error = errorOf(fn);
  return { code: error.code, reason: error.details.reason as Record<string, unknown> };
};

describe('limits', { timeout: 30_000 }, () => {
  it('rejects a 50 MB document by size before parsing it', () => {
    const big = `{"agent": {"id": "a", "instructions": "${'x'.repeat(50 * 1024 * 1024)}"}}`;
    const { code, reason } = reasonOf(() => importAgent(big));
    expect(code).toBe('import_limit_exceeded');
    expect(reason).toMatchObject({ kind: 'import_limit_exceeded', limit: 'bytes', max: 1_000_000 });
    expect(reasonOf(() => importAgent(big.replace(/^\{/, ' {'), { format: 'yaml' })).reason).toMatchObject({ limit: 'bytes' });
    // A decoded object is held to the same bound through its text content.
    const decoded = { agent: { id: 'a', instructions: 'x'.repeat(50 * 1024 * 1024) } };
    expect(reasonOf(() => importAgent(decoded))).toEqual({ code: 'import_limit_exceeded', reason: { kind: 'import_limit_exceeded', limit: 'bytes', max: 1_000_000 } });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const doc = JSON.stringify({ agent: { id: 'a', instructions: 'é'.repeat(600) } });
    expect(doc.length).toBeLessThan(1000);
    expect(reasonOf(() => importAgent(doc, { limits: { maxBytes: 1000 } })).reason).toMatchObject({ limit: 'bytes', max: 1000 });
    expect(importAgent(doc, { limits: { maxBytes: 2000 } }).instructions).toHaveLength(600);
  });

  it('rejects deeply nested JSON and YAML (flow, block and compact block forms)', () => {
    const n = 100_000;
    const cases: Array<[string, string]> = [
      ['json', `{"agent": {"id": "a"}, "metadata": {"x": ${'['.repeat(n)}${']'.repeat(n)}}}`],
      ['yaml flow', `agent: {id: a}\nmetadata: {x: ${'['.repeat(n)}${']'.repeat(n)}}`],
      ['yaml compact', `agent: {id: a}\nmetadata:\n  x:\n${'- '.repeat(n)}1\n`],
      ['yaml block', `agent: {id: a}\nmetadata:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`],
    ];
    for (const [label, doc] of cases) {
      const { code, reason } = reasonOf(() => importAgent(doc));
      expect([label, code]).toEqual([label, 'import_limit_exceeded']);
      expect(reason).toMatchObject({ limit: 'depth', max: 64 });
    }
  });

  it('applies max depth and max nodes as configured (reference cases)', () => {
    expect(reasonOf(() => importAgent('{"a":{"b":{"c":"d"}}}', { limits: { maxDepth: 1 } })).reason).toMatchObject({ limit: 'depth', max: 1 });
    expect(reasonOf(() => importAgent('{"agent":{"id":"a"}}', { limits: { maxNodes: 2 } })).reason).toMatchObject({ limit: 'nodes', max: 2 });
    expect(reasonOf(() => importAgent('{"agent":{"id":"a"}}', { limits: { maxBytes: 10 } })).reason).toMatchObject({ limit: 'bytes', max: 10 });
    const wide = `{"agent":{"id":"a"},"metadata":{${Array.from({ length: 30_000 }, (_, i) => `"k${i}":${i}`).join(',')}}}`;
    expect(reasonOf(() => importAgent(wide, { limits: { maxBytes: 10_000_000 } })).reason).toMatchObject({ limit: 'nodes', max: 20_000 });
    expect(errorOf(() => importAgent(minimalYaml, { limits: { maxDepth: -1 } })).code).toBe('invalid_argument');
  });

  it('rejects a billion-laughs alias bomb', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i += 1) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `agent: {id: a}\nmetadata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    const { code, reason } = reasonOf(() => importAgent(bomb));
    expect(code).toBe('import_limit_exceeded');
    expect(['aliases', 'nodes']).toContain(reason.limit);
    // Aliases can be forbidden outright.
    expect(reasonOf(() => importAgent('agent: &x {id: a}\nmetadata: {copy: *x}', { limits: { maxAliasCount: 0 } })).reason).toMatchObject({ limit: 'aliases' });
    // A modest alias is fine by default.
    expect(importAgent('agent: {id: a}\nmetadata: {base: &b {team: x}, copy: *b}').metadata).toEqual({ base: { team: 'x' }, copy: { team: 'x' } });
  });
});

describe('trust boundary', () => {
  it('YAML is parsed with the core schema: no custom or language tags', () => {
    for (const doc of [
      'agent: {id: a}\nmetadata: {f: !!js/function "function () { return 1 }"}',
      'agent: {id: a}\nmetadata: {r: !!js/regexp /x/}',
      'agent: {id: a}\nmetadata: {b: !!binary aGVsbG8=}',
      'agent: {id: a}\nmetadata: {t: !custom x}',
      'agent: {id: a}\nmetadata: {s: !!set {a, b}}',
    ]) {
      const { code, reason } = reasonOf(() => importAgent(doc));
      expect(code).toBe('invalid_argument');
      expect(reason.kind).toBe('unsupported_yaml_tag');
    }
    // Core-schema scalars only: a YAML 1.1 timestamp stays a string.
    expect(importAgent('agent: {id: a}\nmetadata: {d: 2001-12-14, o: 0o17, n: ~}').metadata).toEqual({ d: '2001-12-14', o: 15, n: null });
  });

  it('YAML merge keys are off unless asked for', () => {
    const doc = 'base: &d {id: merged_agent, model: {provider: test, id: m}}\nagent: {<<: *d, instructions: Merged.}\n';
    const error = errorOf(() => importAgent(doc));
    expect(error.code).toBe('invalid_argument');
    const spec = importAgent(doc, { yamlMergeKeys: true });
    expect(spec).toMatchObject({ id: 'merged_agent', instructions: 'Merged.', model: { provider: 'test', id: 'm' } });
    expect(spec.provenance.kind === 'import' && spec.provenance.warnings).toEqual([{ kind: 'unknown_key', key: 'base', path: 'base' }]);
  });

  it('rejects __proto__ keys anywhere and never pollutes prototypes', () => {
    for (const doc of [
      '{"agent": {"id": "a"}, "metadata": {"__proto__": {"polluted": true}}}',
      'agent: {id: a}\nmetadata: {__proto__: {polluted: true}}',
      '{"__proto__": {"polluted": true}, "agent": {"id": "a"}}',
    ]) {
      expect(reasonOf(() => importAgent(doc)).reason).toMatchObject({ kind: 'forbidden_key', key: '__proto__' });
    }
    const decoded = JSON.parse('{"agent": {"id": "a", "__proto__": {"x": 1}}}') as unknown;
    expect(reasonOf(() => importAgent(decoded)).reason).toMatchObject({ kind: 'forbidden_key', path: 'agent.__proto__' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // constructor/prototype as plain data keys are harmless and kept.
    expect(importAgent('{"agent":{"id":"a"},"metadata":{"constructor":1,"prototype":2}}').metadata).toEqual({ constructor: 1, prototype: 2 });
  });

  it('prototype names never resolve from a registry, whatever it holds', () => {
    for (const ref of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(isReservedRef(ref)).toBe(true);
      const doc = { agent: { id: 'a' }, tools: { actions: [ref] } };
      const fromObject = reasonOf(() => importAgent(doc, { actions: {} }));
      expect(fromObject).toEqual({ code: 'unknown_registry_ref', reason: { kind: 'unknown_registry_ref', registry: 'actions', ref, path: 'tools.actions.0.ref' } });
      const own = Object.defineProperty({}, ref, { value: localTime, enumerable: true });
      expect(reasonOf(() => importAgent(doc, { actions: own })).code).toBe('unknown_registry_ref');
      expect(reasonOf(() => importAgent(doc, { actions: new Map([[ref, localTime]]) })).code).toBe('unknown_registry_ref');
    }
  });

  it('registries resolve exact own keys only; no global fallback, no trimming, no case folding', () => {
    const inherited = Object.create({ local_time: localTime }) as Record<string, never>;
    expect(reasonOf(() => importAgent(minimalYaml, { actions: inherited })).code).toBe('unknown_registry_ref');
    expect(reasonOf(() => importAgent(minimalYaml.replace('- local_time', '- " local_time"'), { actions: { local_time: localTime } })).reason).toMatchObject({ ref: ' local_time' });
    expect(reasonOf(() => importAgent(minimalYaml.replace('- local_time', '- Elixir.String'), { actions: { local_time: localTime } })).reason).toMatchObject({ ref: 'Elixir.String' });
    expect(reasonOf(() => importAgent(minimalYaml.replace('- local_time', '- node:fs'), { actions: { local_time: localTime } })).reason).toMatchObject({ ref: 'node:fs' });
    expect(importAgent(minimalYaml, { actions: new Map([['local_time', localTime]]) }).operations[0]!.action).toBe(localTime);
  });

  it('a registry value of the wrong kind is a typed error', () => {
    const bad = reasonOf(() => importAgent(minimalYaml, { actions: { local_time: { name: 'local_time' } as never } }));
    expect(bad).toEqual({ code: 'invalid_argument', reason: { kind: 'invalid_registry_value', registry: 'actions', ref: 'local_time', path: 'tools.actions.0.ref' } });
    const schema = reasonOf(() => importAgent('agent: {id: a, context: c}', { contextSchemas: { c: { parse: () => 1 } as never } }));
    expect(schema.reason).toMatchObject({ kind: 'invalid_registry_value', registry: 'contextSchemas' });
  });

  it('unknown or malformed options are typed errors', () => {
    expect(errorOf(() => importAgent(minimalYaml, { stric: true } as never)).details.reason).toMatchObject({ kind: 'invalid_options' });
    expect(errorOf(() => importAgent(minimalYaml, { actions: [localTime] as never })).details.reason).toEqual({ kind: 'invalid_registry', registry: 'actions' });
    expect(errorOf(() => importAgent(minimalYaml, null as never)).details.reason).toMatchObject({ kind: 'invalid_options' });
  });

  it('a registry given both as an option and in registries is an error', () => {
    const error = errorOf(() => importAgent(minimalYaml, { actions: { local_time: localTime }, registries: { actions: { local_time: localTime } } }));
    expect(error.details.reason).toEqual({ kind: 'registry_conflict', registry: 'actions' });
  });

  it('decoded objects must be plain data', () => {
    expect(reasonOf(() => importAgent({ agent: { id: 'a' }, metadata: { when: new Date() } })).reason).toMatchObject({ kind: 'invalid_document_value', path: 'metadata.when' });
    expect(reasonOf(() => importAgent({ agent: { id: 'a' }, metadata: { f: () => 1 } })).reason).toMatchObject({ kind: 'invalid_document_value', type: 'function' });
    expect(reasonOf(() => importAgent({ agent: { id: 'a' }, metadata: { n: Number.NaN } })).reason).toMatchObject({ kind: 'invalid_document_value' });
    const cyclic: Record<string, unknown> = { agent: { id: 'a' } };
    cyclic.metadata = cyclic;
    expect(reasonOf(() => importAgent(cyclic)).reason).toMatchObject({ kind: 'import_limit_exceeded', limit: 'depth' });
    expect(reasonOf(() => importAgent(42)).code).toBe('invalid_argument');
    expect(reasonOf(() => importAgent('[1, 2]')).reason).toMatchObject({ kind: 'invalid_document' });
  });

  it('malformed input is a typed error that does not echo the source', () => {
    const secret = 'sk-canary-0123456789';
    for (const [doc, format] of [
      [`{"agent": {"id": "${secret}"`, 'json'],
      [`{"agent": ${secret}}`, 'json'],
      [`agent: [${secret}\nb: }`, 'yaml'],
      [`agent: {id: a}\n---\nsecret: ${secret}`, 'yaml'],
      [`agent: {id: a}\nagent: {id: ${secret}}`, 'yaml'],
    ] as const) {
      const result = safeImportAgent(doc);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('invalid_argument');
      expect(result.error.details.reason).toMatchObject({ kind: 'malformed_document', format });
      expect(JSON.stringify(result.error.toJSON())).not.toContain(secret);
      expect(result.error.message).not.toContain(secret);
    }
  });

  it('a leading byte-order mark is ignored in both formats', () => {
    expect(importAgent('\uFEFF{"agent": {"id": "bom_json"}}').id).toBe('bom_json');
    expect(importAgent('\uFEFFagent: {id: bom_yaml}').id).toBe('bom_yaml');
  });

  it('schema errors name paths, not values', () => {
    const secret = 'sk-canary-abcdef123456';
    const error = errorOf(() => importAgent({ agent: { id: secret } }));
    expect(error.details.issues).toEqual([{ path: 'agent.id', message: 'must be lower_snake (letters, digits, "_"), starting with a letter' }]);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  });

  it('the importer source never evaluates or loads code', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../src/', import.meta.url);
    for (const file of await readdir(dir)) {
      const text = await readFile(new URL(file, dir), 'utf8');
      expect([file, /\beval\s*\(|new Function\s*\(|\bimport\s*\(|\brequire\s*\(/.test(text)]).toEqual([file, false]);
    }
  });
});

describe('loadAgent', () => {
  it('reads a file the caller names, picking the format from the extension', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-spec-'));
    try {
      const yamlPath = join(dir, 'time.yaml');
      await writeFile(yamlPath, minimalYaml);
      const spec = await loadAgent(yamlPath, { actions: { local_time: localTime } });
      expect(spec.provenance).toMatchObject({ source: { kind: 'file', path: yamlPath, format: 'yaml' } });
      const jsonPath = join(dir, 'time.json');
      await writeFile(jsonPath, JSON.stringify({ agent: { id: 'time_agent' } }));
      expect((await loadAgent(jsonPath)).provenance).toMatchObject({ source: { kind: 'file', format: 'json' } });
      const big = join(dir, 'big.yaml');
      await writeFile(big, `agent: {id: a}\nmetadata: {x: "${'x'.repeat(2000)}"}\n`);
      expect((await asyncErrorOf(() => loadAgent(big, { limits: { maxBytes: 1000 } }))).details.reason).toMatchObject({ limit: 'bytes', actual: expect.any(Number) });
      const missing = await asyncErrorOf(() => loadAgent(join(dir, 'missing.yaml')));
      expect(missing.details.reason).toMatchObject({ kind: 'unreadable_document' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('context and result schemas', () => {
  it('resolve through their registries', () => {
    const ctx = z.object({ tenant: z.string() });
    expect(reasonOf(() => importAgent('agent: {id: a, context: tenant_context}')).reason).toEqual({
      kind: 'unknown_registry_ref',
      registry: 'contextSchemas',
      ref: 'tenant_context',
      path: 'agent.context.ref',
    });
    expect(importAgent('agent: {id: a, context_schema: {schema_ref: tenant_context}}', { contextSchemas: { tenant_context: ctx } }).contextSchema).toBe(ctx);
    expect(reasonOf(() => importAgent('agent: {id: a, result: answer}')).reason).toMatchObject({ registry: 'resultSchemas', ref: 'answer' });
  });
});
