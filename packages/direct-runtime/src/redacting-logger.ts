import { redact, type Logger } from '@integration/contracts';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Wraps a logger so every log object is redacted by key and by the lease's secret values, and every
 * message string by those values. Children stay wrapped.
 */
export function redactingLogger(base: Logger, secrets: readonly string[]): Logger {
  const clean = <T>(value: T): T => redact(value, { secrets });
  const method =
    (level: Level) =>
    (obj: object | string, msg?: string): void => {
      const safe = clean(obj);
      if (msg === undefined) base[level](safe);
      else base[level](safe, clean(String(msg)));
    };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (bindings) => redactingLogger(base.child(clean(bindings)), secrets),
  };
}
