import { denyIf, type PolicyRule } from '../rule';

/**
 * A tenant is needed when the contract requires one or restricts tenants; it must be on the
 * allowlist, and it must be the credential's tenant when both are known.
 */
export const requireTenant: PolicyRule = {
  name: 'require_tenant',
  description: "tenant present when required (or allowlisted); tenant ∈ allowlist; tenant = credential's tenant",
  evaluate({ contract, credential, request }) {
    const { required, allowedIds } = contract.tenant;
    const tenant = request.tenantId;
    if (tenant === null) return denyIf(required || allowedIds.length > 0 ? ['tenant_id is required'] : []);
    const reasons: string[] = [];
    if (allowedIds.length > 0 && !allowedIds.includes(tenant)) reasons.push(`tenant ${tenant} is not allowed`);
    if (credential.tenantId !== null && credential.tenantId !== tenant) {
      reasons.push(`tenant ${tenant} cannot use credential for tenant ${credential.tenantId}`);
    }
    return denyIf(reasons);
  },
};
