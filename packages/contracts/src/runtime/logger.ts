import { redact } from '../redaction';

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

/** Wraps a logger so every logged object is redacted by key (and by the given secret values). */
export function redactingLogger(base: Logger, secrets: readonly string[] = []): Logger {
  const clean = (obj: object | string) => (typeof obj === 'string' ? (redact(obj, { secrets }) as string) : (redact(obj, { secrets }) as object));
  return {
    debug: (obj, msg) => base.debug(clean(obj), msg === undefined ? undefined : redact(msg, { secrets })),
    info: (obj, msg) => base.info(clean(obj), msg === undefined ? undefined : redact(msg, { secrets })),
    warn: (obj, msg) => base.warn(clean(obj), msg === undefined ? undefined : redact(msg, { secrets })),
    error: (obj, msg) => base.error(clean(obj), msg === undefined ? undefined : redact(msg, { secrets })),
    child: (bindings) => redactingLogger(base.child(redact(bindings, { secrets })), secrets),
  };
}
