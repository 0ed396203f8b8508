import type { Stores } from '@integration/contracts';
import { runStoreCheck, type RunStoreConformanceOptions, type StoreBatteryReport, type StoreBatteryTarget } from './battery';
import { selectStoreChecks } from './catalog';

export * from './battery';
export { defineStoreBattery, selectStoreChecks } from './catalog';
export { registerStoreBattery, type TestRegistrar } from './register';

/**
 * Runs the store battery against any `Stores` adapter (no test runner needed) and returns a report.
 * `target` may be a bare factory `() => Promise<Stores>` when no restart, second-connection or
 * raw-storage hooks exist (those checks are then skipped).
 */
export async function runStoreConformance(
  target: StoreBatteryTarget | (() => Promise<Stores>),
  options: RunStoreConformanceOptions = {},
): Promise<StoreBatteryReport> {
  const resolved: StoreBatteryTarget = typeof target === 'function' ? { name: 'stores', create: target } : target;
  const results = [];
  let tier: string | null = null;
  for (const check of selectStoreChecks(options)) {
    const result = await runStoreCheck(check, {
      ...resolved,
      create: async () => {
        const stores = await resolved.create();
        tier = stores.tier;
        return stores;
      },
    });
    results.push(result);
  }
  return {
    target: resolved.name,
    tier,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    results,
  };
}
