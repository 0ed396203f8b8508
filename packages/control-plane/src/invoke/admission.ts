import {
  isIntegrationError,
  PolicyError,
  type Capability,
  type EventSpec,
  type IntegrationError,
  type JsonObject,
  type Lease,
  type PolicyDecision,
  type TargetDescriptor,
} from '@integration/contracts';
import { evaluatePolicy } from '@integration/policy';
import { anonymousLease, type ResolvedBinding } from '../auth-binding';
import type { ControlPlaneContext } from '../context';
import { checkTarget } from './check-target';
import type { ExecutionRequest } from './execution-request';

export type AdmissionOutcome =
  | {
      outcome: 'rejected';
      runStatus: 'failed' | 'denied' | 'shed';
      error: IntegrationError;
      decision: PolicyDecision | null;
      policySnapshot: JsonObject | null;
      events: EventSpec[];
    }
  | { outcome: 'admitted'; decision: PolicyDecision; lease: Lease; target: TargetDescriptor | null };
export type Rejection = Extract<AdmissionOutcome, { outcome: 'rejected' }>;

/** A run that fails before an attempt: `run.failed` with the error. */
export function failedBeforeAttempt(error: IntegrationError, decision: PolicyDecision | null): Rejection {
  return {
    outcome: 'rejected',
    runStatus: 'failed',
    error,
    decision,
    policySnapshot: null,
    events: [{ type: 'run.failed', level: 'error', payload: { error: { code: error.code, message: error.message, details: error.details } } }],
  };
}

function policyRejection(decision: PolicyDecision): Rejection {
  const denied = decision.status === 'denied';
  const snapshot: JsonObject = { ...decision.auditContext, reasons: decision.reasons, status: decision.status } as JsonObject;
  return {
    outcome: 'rejected',
    runStatus: denied ? 'denied' : 'shed',
    error: new PolicyError(denied ? 'policy_denied' : 'policy_shed', `${denied ? 'denied' : 'shed'} by policy: ${decision.reasons.join('; ')}`, {
      details: { reasons: decision.reasons },
      retryable: !denied,
      policyDecision: decision,
    }),
    decision,
    policySnapshot: snapshot,
    events: [
      { type: denied ? 'run.denied' : 'run.shed', level: denied ? 'error' : 'warn', payload: { reasons: decision.reasons } },
      {
        type: denied ? 'audit.policy_denied' : 'audit.policy_shed',
        stream: 'control',
        level: denied ? 'error' : 'warn',
        payload: { ...snapshot },
      },
    ],
  };
}

/** Steps 3–5: target check, policy, lease. Nothing is written here. */
export async function admit(
  ctx: ControlPlaneContext,
  capability: Capability,
  binding: ResolvedBinding,
  request: ExecutionRequest,
  targetId: string | null,
): Promise<AdmissionOutcome> {
  let target: TargetDescriptor | null;
  try {
    target = await checkTarget(ctx, capability, targetId);
  } catch (error) {
    if (isIntegrationError(error)) return failedBeforeAttempt(error, null);
    throw error;
  }

  const decision = evaluatePolicy({
    capability,
    credential: { refId: binding.credentialRef.id, tenantId: binding.tenantId, scopes: binding.grantedScopes },
    request: {
      actorId: request.actorId ?? undefined,
      tenantId: request.tenantId ?? undefined,
      environment: request.environment ?? undefined,
      traceId: request.traceId ?? undefined,
      allowedOperations: request.allowedOperations,
      sandbox: request.sandbox,
      pressure: request.pressure,
    },
  });
  if (decision.status !== 'allowed') return policyRejection(decision);

  try {
    const lease =
      binding.bound === null
        ? anonymousLease(ctx.clock)
        : await ctx.auth!.lease(binding.bound, { requiredScopes: capability.requiredScopes, actorId: request.actorId });
    return { outcome: 'admitted', decision, lease, target };
  } catch (error) {
    if (isIntegrationError(error)) return failedBeforeAttempt(error, decision);
    throw error;
  }
}
