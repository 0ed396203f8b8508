import { performance } from 'node:perf_hooks';

export interface LatencyRow {
  label: string;
  perSecond: number;
  /** Microseconds. */
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sequential latency of `fn`: a warm-up, then `iterations` timed calls (µs percentiles, calls/s). */
export async function measureLatency(
  label: string,
  fn: (i: number) => unknown,
  { warmup, iterations }: { warmup: number; iterations: number },
): Promise<LatencyRow> {
  for (let i = 0; i < warmup; i += 1) await fn(i);
  const samples = new Float64Array(iterations);
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) {
    const t0 = performance.now();
    await fn(i);
    samples[i] = (performance.now() - t0) * 1000;
  }
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...samples].sort((a, b) => a - b);
  return { label, perSecond: iterations / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}
