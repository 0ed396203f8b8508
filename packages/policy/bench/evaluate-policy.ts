/**
 * `pnpm bench:policy`: evaluatePolicy (zod validation + every rule + decision parse) next to the
 * rules alone on a pre-built subject (baseline), measured in the same run.
 * Bounded: BENCH_ITERATIONS (default 20 000) per row after BENCH_WARMUP (default 2 000).
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { defineConnector, defineOperation } from '@integration/contracts';
import { evaluatePolicy, PolicyInputSchema, policyRules, subjectOf, type PolicyInput } from '../src';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

const connector = defineConnector({
  id: 'bench',
  auth: { type: 'api_token', requestedScopes: ['read'] },
  catalog: { displayName: 'Bench' },
  operations: [
    defineOperation({
      id: 'bench.noop.run',
      description: 'does nothing',
      input: z.strictObject({ n: z.number().int() }),
      output: z.strictObject({ n: z.number().int() }),
      scopes: ['read'],
      policy: { actor: { required: true }, environment: { allowed: ['prod'] }, sandbox: { allowedTools: ['git'] } },
      consumerSurface: { mode: 'connector_local', reason: 'benchmark' },
      handler: async (input) => input,
    }),
  ],
});
const capability = connector.capabilities[0]!;
const policyInput: PolicyInput = {
  capability,
  credential: { refId: 'cred_1', tenantId: 'acme', scopes: ['read'] },
  request: { actorId: 'alice', tenantId: 'acme', environment: 'prod', allowedOperations: [capability.id], sandbox: { allowedTools: ['git', 'rg'] } },
};
const subject = subjectOf(PolicyInputSchema.parse(policyInput));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, fn: (i: number) => unknown) {
  for (let i = 0; i < WARMUP; i += 1) await fn(i);
  const samples = new Float64Array(ITERATIONS);
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) {
    const t0 = performance.now();
    await fn(i);
    samples[i] = (performance.now() - t0) * 1000;
  }
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...samples].sort((a, b) => a - b);
  return { label, perSecond: ITERATIONS / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const rows = [
  await measure('policy rules only (baseline)', () => policyRules.map((rule) => rule.evaluate(subject))),
  await measure('evaluatePolicy', () => {
    if (evaluatePolicy(policyInput).status !== 'allowed') throw new Error('bench input must be allowed');
  }),
];
console.log(`iterations per row: ${ITERATIONS} (warmup ${WARMUP})`);
console.table(rows.map((r) => ({ row: r.label, 'ops/s': Math.round(r.perSecond), 'p50 µs': r.p50.toFixed(1), 'p99 µs': r.p99.toFixed(1) })));
console.log(`evaluatePolicy / rules-only time ratio: ${(rows[0]!.perSecond / rows[1]!.perSecond).toFixed(2)}x`);
