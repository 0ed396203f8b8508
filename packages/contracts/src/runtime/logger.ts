import { knownSecretsOf, redact, type RedactOptions } from '../secrets/redact';

/** The logging surface the platform uses; a pino logger satisfies it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Wraps a logger so every log object and message is redacted by the known secret values (and, when
 * `keyNames` is set, by secret-looking key names: free-form log payloads are the one place that
 * heuristic may run). Children stay wrapped. Logging is best-effort: a sink that throws never
 * changes the outcome of the work being logged.
 */
export function redactingLogger(base: Logger, options: Pick<RedactOptions, 'secrets' | 'keyNames'> = {}): Logger {
  const secrets = knownSecretsOf(options.secrets);
  const redaction = { secrets, keyNames: options.keyNames === true };
  const clean = <T>(value: T): T => redact(value, redaction);
  const method =
    (level: Level) =>
    (obj: object | string, msg?: string): void => {
      try {
        const safe = clean(obj);
        if (msg === undefined) base[level](safe);
        else base[level](safe, clean(String(msg)));
      } catch {
        // best-effort
      }
    };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (bindings) => {
      try {
        return redactingLogger(base.child(clean(bindings)), redaction);
      } catch {
        return redactingLogger(base, redaction);
      }
    },
  };
}
