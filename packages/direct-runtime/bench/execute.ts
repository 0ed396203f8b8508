/**
 * `pnpm bench:direct-runtime`: createDirectRuntime().execute (validation, signal + timer, redacting
 * logger, frozen lease, event sandwich) next to calling the same handler directly (baseline),
 * measured in the same run. Bounded: BENCH_ITERATIONS (default 20 000) per row after BENCH_WARMUP.
 */
import { z } from 'zod';
import { attemptIdFor, defineConnector, defineOperation, ManualClock, silentLogger, type HandlerContext, type RuntimeContext } from '@integration/contracts';
import { createDirectRuntime } from '../src';
import { measureLatency } from '../../../scripts/bench-latency';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

const handler = async (input: { n: number }, ctx: HandlerContext) => {
  ctx.emit({ type: 'connector.bench.ran', payload: { n: input.n } });
  return { n: input.n };
};
const connector = defineConnector({
  id: 'bench',
  auth: { type: 'api_token', requestedScopes: ['read'], leaseFields: ['access_token'] },
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
      handler,
    }),
  ],
});
const capability = connector.capabilities[0]!;

const runtime = createDirectRuntime();
const lease = {
  leaseId: 'lease_1',
  credentialRefId: 'cred_1',
  connectionId: 'conn_1',
  subject: 'bench',
  scopes: ['read'],
  payload: { access_token: 'bench_token_value_123' },
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T00:05:00.000Z',
};
const clock = new ManualClock();
const contextFor = (n: number): RuntimeContext => ({
  runId: `run_${n}`,
  attempt: 1,
  attemptId: attemptIdFor(`run_${n}`, 1),
  lease,
  credentialRef: { id: 'cred_1', subject: 'bench', scopes: ['read'], authType: 'api_token', connectionId: 'conn_1', installId: null, connectorId: 'bench', tenantId: 'acme' },
  connectionId: 'conn_1',
  tenantId: 'acme',
  actorId: 'alice',
  traceId: null,
  idempotencyKey: null,
  executionPolicy: { runtimeClass: 'direct', sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: [] } },
  target: null,
  signal: new AbortController().signal,
  timeoutMs: 30_000,
  logger: silentLogger,
  clock,
  extensions: {},
});
const bareContext = (n: number) =>
  ({ ...contextFor(n), emit: () => {}, artifact: async () => { throw new Error('unused'); } }) as unknown as HandlerContext;

const measure = (label: string, fn: (i: number) => unknown) => measureLatency(label, fn, { warmup: WARMUP, iterations: ITERATIONS });

const rows = [
  await measure('handler called directly (baseline)', (i) => handler({ n: i }, bareContext(i))),
  await measure('directRuntime.execute', async (i) => {
    const result = await runtime.execute(capability, { n: i }, contextFor(i));
    if (result.status !== 'completed') throw new Error('bench handler must complete');
  }),
];
console.log(`iterations per row: ${ITERATIONS} (warmup ${WARMUP})`);
console.table(rows.map((r) => ({ row: r.label, 'ops/s': Math.round(r.perSecond), 'p50 µs': r.p50.toFixed(1), 'p99 µs': r.p99.toFixed(1) })));
console.log(`direct execute / direct handler time ratio: ${(rows[0]!.perSecond / rows[1]!.perSecond).toFixed(2)}x`);
