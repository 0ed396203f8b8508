/**
 * `pnpm bench:policy`: evaluatePolicy (zod validation + every rule + decision parse) next to the
 * rules alone on a pre-built subject (baseline), measured in the same run.
 * Bounded: BENCH_ITERATIONS (default 20 000) per row after BENCH_WARMUP (default 2 000).
 */
import { z } from 'zod';
import { defineConnector, defineOperation } from '@integration/contracts';
import { evaluatePolicy, PolicyInputSchema, policyRules, subjectOf, type PolicyInput } from '../src';
import { measureLatency } from '../../../scripts/bench-latency';

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

const measure = (label: string, fn: (i: number) => unknown) => measureLatency(label, fn, { warmup: WARMUP, iterations: ITERATIONS });

const rows = [
  await measure('policy rules only (baseline)', () => policyRules.map((rule) => rule.evaluate(subject))),
  await measure('evaluatePolicy', () => {
    if (evaluatePolicy(policyInput).status !== 'allowed') throw new Error('bench input must be allowed');
  }),
];
console.log(`iterations per row: ${ITERATIONS} (warmup ${WARMUP})`);
console.table(rows.map((r) => ({ row: r.label, 'ops/s': Math.round(r.perSecond), 'p50 µs': r.p50.toFixed(1), 'p99 µs': r.p99.toFixed(1) })));
console.log(`evaluatePolicy / rules-only time ratio: ${(rows[0]!.perSecond / rows[1]!.perSecond).toFixed(2)}x`);
