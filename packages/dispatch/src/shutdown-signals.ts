import type { Logger } from '@integration/contracts';

/**
 * Calls `onSignal` (once) when the process receives one of `signals`; returns the function that
 * removes the handlers again.
 */
export function onShutdownSignals(signals: NodeJS.Signals[], onSignal: (signal: NodeJS.Signals) => void, logger: Logger): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    const handler = () => {
      logger.info({ signal }, 'signal received; stopping dispatch worker');
      onSignal(signal);
    };
    handlers.set(signal, handler);
    process.once(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    handlers.clear();
  };
}
