import { sha256Hex, type DedupeScope } from '@integration/contracts';

/** `disp_` + SHA-256 of `tenant|connector|trigger|dedupeKey`: one job per dedupe scope, in every process. */
export function dispatchIdFor(scope: DedupeScope): string {
  return `disp_${sha256Hex(`${scope.tenantId}|${scope.connectorId}|${scope.triggerId}|${scope.dedupeKey}`)}`;
}
