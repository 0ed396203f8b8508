/**
 * `pnpm bench:invoke`: a no-op direct capability through the whole pipeline on the in-memory
 * tier, next to calling the same handler directly, measured in the same run.
 */
import { z } from 'zod';
import { createPlatform, defineConnector, defineOperation, generateSealingKey, type HandlerContext } from '@integration/platform';
import { measureLatency } from './bench-latency';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

const handler = async (input: { n: number }, _ctx: HandlerContext) => ({ n: input.n });
const noop = defineOperation({
  id: 'bench.noop.run',
  description: 'does nothing',
  input: z.strictObject({ n: z.number().int() }),
  output: z.strictObject({ n: z.number().int() }),
  consumerSurface: { mode: 'connector_local', reason: 'benchmark' },
  handler,
});
const connector = defineConnector({ id: 'bench', auth: { type: 'none' }, catalog: { displayName: 'Bench' }, operations: [noop] });

const measure = (label: string, fn: (i: number) => unknown) => measureLatency(label, fn, { warmup: WARMUP, iterations: ITERATIONS });

async function main() {
  const platform = await createPlatform({ connectors: [connector], secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
  const ctx = {} as HandlerContext;
  const direct = await measure('direct handler call', (i) => handler({ n: i }, ctx));
  const pipeline = await measure('platform.invoke (memory tier)', (i) => platform.invoke('bench.noop.run', { n: i }));
  await platform.close();

  const rows = [direct, pipeline];
  console.log(`\ninvoke benchmark: ${ITERATIONS} iterations after ${WARMUP} warm-up, node ${process.version}\n`);
  console.log('| measurement                     | invokes/s | p50 µs | p99 µs |');
  console.log('|---------------------------------|----------:|-------:|-------:|');
  for (const r of rows) {
    console.log(`| ${r.label.padEnd(31)} | ${r.perSecond.toFixed(0).padStart(9)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p99.toFixed(1).padStart(6)} |`);
  }
  const overhead = pipeline.p50 - direct.p50;
  console.log(`\npipeline overhead p50: ${overhead.toFixed(1)} µs per invoke (target ≤ 15 µs)`);
  console.log(`throughput ratio pipeline/direct: ${(pipeline.perSecond / direct.perSecond).toFixed(4)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
