import { runStoreCheck, type RunStoreConformanceOptions, type StoreBatteryTarget } from './battery';
import { selectStoreChecks } from './catalog';

/** The slice of a test runner the wrapper needs (vitest, jest and node:test all fit). */
export interface TestRegistrar {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: (context: { skip?: (note?: string) => void }) => Promise<void>, timeoutMs?: number): void;
}

/**
 * Registers one test per battery check. A failed check throws with its message; a skipped check
 * (missing hook) calls the runner's `skip` when it offers one, else passes with a printed note.
 */
export function registerStoreBattery(runner: TestRegistrar, target: StoreBatteryTarget, options: RunStoreConformanceOptions & { timeoutMs?: number } = {}): void {
  runner.describe(`store battery: ${target.name}`, () => {
    for (const check of selectStoreChecks(options)) {
      runner.it(
        `${check.id} — ${check.title}`,
        async (context) => {
          const result = await runStoreCheck(check, target);
          if (result.status === 'failed') {
            const error = new Error(`${check.id}: ${result.message ?? 'failed'}`);
            if (result.code) Object.assign(error, { code: result.code });
            throw error;
          }
          if (result.status === 'skipped') {
            if (context?.skip) context.skip(result.message);
            else console.info(`[store battery] ${target.name} ${check.id} skipped: ${result.message}`);
          }
        },
        options.timeoutMs ?? 60_000,
      );
    }
  });
}
