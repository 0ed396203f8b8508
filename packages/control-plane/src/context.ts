import type { Capability, Clock, Logger, Runtime, RuntimeClass, SecretSealer, Stores, DirectHandler } from '@integration/contracts';
import type { AuthBinding } from './auth-binding';
import type { LedgerWriter } from './ledger-writer';
import type { ConnectorRegistry } from './registry';

/** Everything the pipeline steps share. */
export interface ControlPlaneContext {
  stores: Stores;
  registry: ConnectorRegistry;
  auth: AuthBinding | null;
  runtimes: Partial<Record<RuntimeClass, Runtime>>;
  clock: Clock;
  logger: Logger;
  writer: LedgerWriter;
  /** Seals the exact input of runs whose input holds secrets (the credential key ring). */
  sealer: SecretSealer | null;
  /** Host-supplied handlers for trigger capabilities (override the trigger's own handler). */
  triggerHandlers: Record<string, DirectHandler<unknown, unknown>>;
}

export function executableCapability(ctx: ControlPlaneContext, capability: Capability): Capability {
  const override = ctx.triggerHandlers[capability.id];
  return override ? { ...capability, handler: override } : capability;
}
