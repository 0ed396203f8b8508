import { denyIf, describeValue, list, type PolicyRule } from '../rule';

/** When the contract lists environments, the request must name one of them. */
export const requireEnvironment: PolicyRule = {
  name: 'require_environment',
  description: 'environment ∈ contract environment.allowed (an empty list allows any, including none)',
  evaluate({ contract, request }) {
    const allowed = contract.environment.allowed;
    if (allowed.length === 0) return denyIf([]);
    const env = request.environment;
    return denyIf(env !== null && allowed.includes(env) ? [] : [`environment ${describeValue(env)} is not allowed (allowed: ${list(allowed)})`]);
  },
};
