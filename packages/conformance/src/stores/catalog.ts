import type { RunStoreConformanceOptions, StoreCheck } from './battery';
import { authChecks } from './checks/auth';
import { capabilityChecks } from './checks/capabilities';
import { concurrencyChecks } from './checks/concurrency';
import { dispatchChecks } from './checks/dispatch';
import { durabilityChecks } from './checks/durability';
import { ingressChecks } from './checks/ingress';
import { ledgerChecks } from './checks/ledger';
import { ledgerRecoveryChecks } from './checks/ledger-recovery';
import { ledgerStepChecks } from './checks/ledger-steps';
import { routeChecks } from './checks/routes';
import { transactionChecks } from './checks/transactions';


/** Every check of the store battery, in report order. */
export function defineStoreBattery(): StoreCheck[] {
  return [
    ...ledgerChecks,
    ...ledgerStepChecks,
    ...ledgerRecoveryChecks,
    ...authChecks,
    ...ingressChecks,
    ...routeChecks,
    ...dispatchChecks,
    ...transactionChecks,
    ...durabilityChecks,
    ...concurrencyChecks,
    ...capabilityChecks,
  ];
}

/** Selects checks by id prefix. */
export function selectStoreChecks(options: RunStoreConformanceOptions = {}): StoreCheck[] {
  const checks = options.checks ?? defineStoreBattery();
  const only = options.only;
  return only && only.length > 0 ? checks.filter((c) => only.some((prefix) => c.id.startsWith(prefix))) : checks;
}

