import { redact, type Logger } from '@integration/contracts';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Wraps a logger so every log object is redacted by key and by the lease's secret values, and every
 * message string by those values. Children stay wrapped. Logging is best-effort: a logger that
 * throws never fails the handler.
 */
export function redactingLogger(base: Logger, secrets: readonly string[]): Logger {
  const clean = <T>(value: T): T => redact(value, { secrets });
  const method =
    (level: Level) =>
    (obj: object | string, msg?: string): void => {
      try {
        const safe = clean(obj);
        if (msg === undefined) base[level](safe);
        else base[level](safe, clean(String(msg)));
      } catch {
        // best-effort: a broken sink must not change the attempt's outcome
      }
    };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (bindings) => {
      try {
        return redactingLogger(base.child(clean(bindings)), secrets);
      } catch {
        return redactingLogger(base, secrets);
      }
    },
  };
}
