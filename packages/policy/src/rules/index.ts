import type { PolicyRule } from '../rule';
import { requireOperation } from './require-operation';
import { requireActor } from './require-actor';
import { requireTenant } from './require-tenant';
import { requireEnvironment } from './require-environment';
import { requireRuntimeClass } from './require-runtime-class';
import { requireScopes } from './require-scopes';
import { enforceSandbox } from './enforce-sandbox';
import { respectPressure } from './respect-pressure';

export { requireOperation, requireActor, requireTenant, requireEnvironment, requireRuntimeClass, requireScopes, enforceSandbox, respectPressure };
export { sandboxLevelRank, egressRank, approvalsRank } from './enforce-sandbox';
export { DEFAULT_SHED_REASON } from './respect-pressure';

/** Every admission rule, in evaluation (and reason) order. */
export const policyRules: readonly PolicyRule[] = Object.freeze([
  requireOperation,
  requireActor,
  requireTenant,
  requireEnvironment,
  requireRuntimeClass,
  requireScopes,
  enforceSandbox,
  respectPressure,
]);
