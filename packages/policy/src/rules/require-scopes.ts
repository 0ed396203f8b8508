import { denyIf, type PolicyRule } from '../rule';

/** Every scope the capability requires must be granted to the credential. */
export const requireScopes: PolicyRule = {
  name: 'require_scopes',
  description: "capability requiredScopes ⊆ credential scopes",
  evaluate({ capability, credential }) {
    const granted = new Set(credential.scopes);
    const missing = [...new Set(capability.requiredScopes)].filter((scope) => !granted.has(scope));
    return denyIf(missing.length > 0 ? [`missing required scopes: ${missing.join(', ')}`] : []);
  },
};
