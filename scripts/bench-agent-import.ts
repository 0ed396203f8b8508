/**
 * Rejection cost of hostile agent documents versus importing a legitimate one, measured in the
 * same run. Usage: pnpm bench:agent-import
 */
import { z } from 'zod';
import { defineAction, defineControl, defineResource, safeImportAgent } from '../packages/agent-spec/src/index';

const action = (name: string) => defineAction({ name, input: z.object({}), run: () => null });
const control = (name: string) => defineControl({ name, call: () => 'allow' });
const registries = {
  actions: { local_time: action('local_time') },
  resources: { account_resource: defineResource({ name: 'account_resource', actions: [action('read_account')] }) },
  controls: { no_secrets: control('no_secrets'), require_approval: control('require_approval'), safe_reply: control('safe_reply') },
  contextSchemas: { support_context: z.object({ tenant_id: z.string() }) },
  resultSchemas: { support_result: z.object({ answer: z.string() }) },
};

const supportYaml = `version: 1
agent:
  id: support_agent
  model: openai:gpt-4o-mini
  instructions: Answer support questions tersely.
  context: {ref: support_context}
  result: {ref: support_result, max_repairs: 1}
  memory: {scope: session, capture: conversation, max_entries: 8}
tools:
  actions: [local_time]
  ash_resources: [{ref: account_resource, actions: [read_account]}]
  browsers: [{name: docs, mode: read_only, allow: [docs.example.com]}]
controls:
  max_turns: 8
  timeout: 30000
  inputs: [{control: no_secrets}]
  operations: [{control: require_approval, when: {kind: action, name: local_time}}]
  outputs: [{control: safe_reply}]
`;

const bombLevels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (let i = 1; i < 10; i += 1) {
  const prev = String.fromCharCode(96 + i);
  const name = String.fromCharCode(97 + i);
  bombLevels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
}
const deep = 450_000;
const cases: Array<[label: string, source: string, expected: string]> = [
  ['support agent (YAML, baseline)', supportYaml, 'ok'],
  ['50 MB JSON', `{"agent": {"id": "a", "instructions": "${'x'.repeat(50 * 1024 * 1024)}"}}`, 'import_limit_exceeded'],
  ['50 MB YAML', `agent: {id: a}\nmetadata: {x: "${'x'.repeat(50 * 1024 * 1024)}"}`, 'import_limit_exceeded'],
  ['deep JSON (450k)', `{"agent":{"id":"a"},"metadata":${'['.repeat(deep)}${']'.repeat(deep)}}`, 'import_limit_exceeded'],
  ['deep YAML flow (450k)', `agent: {id: a}\nmetadata: ${'['.repeat(deep)}${']'.repeat(deep)}`, 'import_limit_exceeded'],
  ['deep YAML compact (450k)', `agent: {id: a}\nmetadata:\n${'- '.repeat(deep)}1\n`, 'import_limit_exceeded'],
  ['alias bomb (9^10)', `agent: {id: a}\nmetadata:\n${bombLevels.map((l) => `  ${l}`).join('\n')}\n`, 'import_limit_exceeded'],
  ['wide YAML (~1 MB, 160k nodes)', `agent: {id: a}\nmetadata:\n${Array.from({ length: 40_000 }, (_, i) => `  k${i}: [1, {a: b}]`).join('\n')}\n`, 'import_limit_exceeded'],
];

const runs = 5;
const rows: Array<{ case: string; bytes: number; outcome: string; median_ms: number; max_ms: number; ratio: number }> = [];
let baseline = 0;
for (const [label, source, expected] of cases) {
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const result = safeImportAgent(source, { registries, limits: { maxBytes: 2_000_000 } });
    times.push(performance.now() - started);
    outcome = result.ok ? 'ok' : result.error.code;
  }
  if (outcome !== expected) throw new Error(`${label}: expected ${expected}, got ${outcome}`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  if (baseline === 0) baseline = median;
  rows.push({ case: label, bytes: Buffer.byteLength(source), outcome, median_ms: Number(median.toFixed(2)), max_ms: Number(times.at(-1)!.toFixed(2)), ratio: Number((median / baseline).toFixed(2)) });
}
console.table(rows);
const slowest = Math.max(...rows.slice(1).map((r) => r.max_ms));
console.log(`slowest rejection: ${slowest.toFixed(1)} ms (${slowest < 1000 ? 'within' : 'OVER'} one second); ratio is against the baseline import`);
