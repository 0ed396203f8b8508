import { denyIf, describeValue, type PolicyRule } from '../rule';

/** Ranks from most to least restrictive; a request may be stricter than the contract, never looser. */
export const sandboxLevelRank = { strict: 0, standard: 1, none: 2 } as const;
export const egressRank = { blocked: 0, restricted: 1, open: 2 } as const;
/** Higher is stricter for approvals. */
export const approvalsRank = { none: 0, auto: 1, manual: 2 } as const;

/** The effective requested sandbox (request fields over the contract's) may not be weaker than the contract. */
export const enforceSandbox: PolicyRule = {
  name: 'enforce_sandbox',
  description: 'level strict<standard<none, egress blocked<restricted<open, approvals none<auto<manual; file_scope; tools; level none needs manual approvals',
  evaluate({ contract, sandbox: requested }) {
    const required = contract.sandbox;
    const reasons: string[] = [];
    if (sandboxLevelRank[requested.level] > sandboxLevelRank[required.level]) {
      reasons.push(`sandbox level ${requested.level} is weaker than required ${required.level}`);
    }
    if (egressRank[requested.egress] > egressRank[required.egress]) {
      reasons.push(`sandbox egress ${requested.egress} is wider than allowed ${required.egress}`);
    }
    if (approvalsRank[requested.approvals] < approvalsRank[required.approvals]) {
      reasons.push(`sandbox approvals ${requested.approvals} are weaker than required ${required.approvals}`);
    }
    if (required.fileScope !== null && requested.fileScope !== required.fileScope) {
      reasons.push(`sandbox file_scope ${describeValue(requested.fileScope)} does not match required ${required.fileScope}`);
    }
    const tools = new Set(requested.allowedTools);
    const missingTools = [...new Set(required.allowedTools)].filter((tool) => !tools.has(tool));
    if (missingTools.length > 0) reasons.push(`sandbox allowed_tools is missing required tools: ${missingTools.join(', ')}`);
    if (requested.level === 'none' && requested.approvals !== 'manual') {
      reasons.push('sandbox level none requires manual approvals');
    }
    return denyIf(reasons);
  },
};
