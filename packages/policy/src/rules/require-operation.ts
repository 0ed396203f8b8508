import { denyIf, type PolicyRule } from '../rule';

/** The capability must be granted by the request's `allowedOperations` and by the contract's. */
export const requireOperation: PolicyRule = {
  name: 'require_operation',
  description: "capability id ∈ request.allowedOperations and ∈ the contract's allowedOperations",
  evaluate({ capability, contract, request }) {
    const reasons: string[] = [];
    if (!request.allowedOperations.includes(capability.id)) {
      reasons.push(`operation ${capability.id} is not granted for dispatch`);
    }
    if (!contract.allowedOperations.includes(capability.id)) {
      reasons.push(`operation ${capability.id} is not allowed by the capability contract`);
    }
    return denyIf(reasons);
  },
};
