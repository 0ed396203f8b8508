import type { CheckResult, SuiteResult } from '../report';
import { sourceOf, type SuiteContext } from './context';
import { check, fail, pass, skip, suiteOf } from './support';

const classes = ['direct', 'session', 'stream'];

/**
 * Per capability: a direct capability has a handler (a trigger without one is given one by its
 * host) and no runtime routing; a session/stream capability names a driver its harness knows.
 * Capabilities that fail here are not executed by the fixture suites.
 */
export function runtimeClassFit(ctx: SuiteContext): SuiteResult {
  const checks: CheckResult[] = [];
  const unrunnable = (id: string, reason: string, failed = true) => {
    if (!ctx.unrunnable.has(id)) ctx.unrunnable.set(id, { reason, failed });
  };
  for (const cap of ctx.capabilities) {
    if (!classes.includes(cap.runtimeClass)) {
      checks.push(fail(`${cap.id}.runtime_class`, `unknown runtime class ${JSON.stringify(cap.runtimeClass)} (direct, session or stream)`));
      unrunnable(cap.id, 'unknown runtime class');
      continue;
    }
    checks.push(pass(`${cap.id}.runtime_class`, cap.runtimeClass));
    const source = sourceOf(ctx, cap);
    if (cap.runtimeClass === 'direct') {
      if (typeof cap.handler === 'function') checks.push(pass(`${cap.id}.handler`, 'direct handler'));
      else if (cap.kind === 'trigger') {
        checks.push(skip(`${cap.id}.handler`, 'trigger without a handler: its host supplies one (platform triggerHandlers)'));
        unrunnable(cap.id, 'a trigger without a handler (its host supplies one)', false);
      } else {
        checks.push(fail(`${cap.id}.handler`, `direct operation ${cap.id} has no handler function`));
        unrunnable(cap.id, 'no handler');
      }
      checks.push(check(`${cap.id}.routing`, cap.runtime === null || cap.runtime === undefined, 'no runtime routing', `direct capabilities may not declare runtime routing (driver ${JSON.stringify(cap.runtime?.driver)})`));
      continue;
    }
    const driver = cap.runtime?.driver;
    if (typeof driver !== 'string' || driver.length === 0) {
      checks.push(fail(`${cap.id}.driver`, `${cap.runtimeClass} capability ${cap.id} names no runtime.driver`));
      unrunnable(cap.id, 'no runtime driver');
      continue;
    }
    checks.push(pass(`${cap.id}.driver`, `driver ${driver}${cap.runtime?.provider ? ` (provider ${cap.runtime.provider})` : ''}`));
    const known = ctx.knownDrivers[cap.runtimeClass as 'session' | 'stream'];
    if (known.includes(driver)) checks.push(pass(`${cap.id}.driver_known`, `the ${cap.runtimeClass} harness knows driver ${driver}`));
    else {
      checks.push(
        fail(
          `${cap.id}.driver_known`,
          `the ${cap.runtimeClass} harness has no driver "${driver}" (known: ${known.join(', ')}); register it with runConformance(connector, { drivers: { ${cap.runtimeClass}: { '${driver}': … } } })`,
          { driver, known },
        ),
      );
      unrunnable(cap.id, `unknown driver ${driver}`);
    }
    if (source?.kind === 'operation') {
      const common = source.consumerSurface?.mode === 'common';
      if (common) checks.push(check(`${cap.id}.runtime_family`, cap.runtimeFamily !== null && cap.runtimeFamily !== undefined, 'runtime family declared', `common ${cap.runtimeClass} operations need a runtimeFamily`));
    }
  }
  return suiteOf('runtime_class_fit', checks);
}
