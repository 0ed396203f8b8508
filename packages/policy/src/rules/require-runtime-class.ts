import { denyIf, list, type PolicyRule } from '../rule';

/** The runtime class the host routes to must be one the contract allows. */
export const requireRuntimeClass: PolicyRule = {
  name: 'require_runtime_class',
  description: 'request runtime class (default: the capability’s) ∈ contract runtime.allowed',
  evaluate({ contract, request }) {
    const allowed = contract.runtime.allowed;
    return denyIf(
      allowed.includes(request.runtimeClass) ? [] : [`runtime class ${request.runtimeClass} is not allowed (allowed: ${list(allowed)})`],
    );
  },
};
