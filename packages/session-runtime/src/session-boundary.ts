import type { AttemptPlan } from './attempt-plan';
import { parseDescriptor, type BoundaryBridge } from './boundary/bridge';
import { boundaryError } from './boundary/boundary-error';
import type { BoundarySessionDescriptor } from './boundary/descriptor';

/**
 * Allocates and claims the boundary (workspace) of a new session, for drivers that need one; null
 * otherwise. Fails closed: whatever the kernel allocated is released before an error surfaces.
 */
export async function openSessionBoundary(
  bridge: BoundaryBridge | null,
  readinessTimeoutMs: number,
  plan: AttemptPlan,
  sessionId: string,
): Promise<BoundarySessionDescriptor | null> {
  if (!plan.driver.needsWorkspace || !bridge) return null;
  const { context } = plan;
  const boundarySessionId = `bnd_${sessionId}`;
  const refs = { correlationId: context.runId, requestId: context.attemptId };
  try {
    const sandbox = context.executionPolicy.sandbox;
    let descriptor = await bridge.allocate({
      boundarySessionId,
      backendKind: bridge.adapter.name,
      attach: { mode: 'attachable' },
      policyIntent: {
        sandboxLevel: sandbox.level,
        egress: sandbox.egress,
        approvals: sandbox.approvals,
        allowedTools: sandbox.allowedTools,
        fileScope: sandbox.fileScope,
      },
      // The per-attempt lease is deliberately not a ref: sessions outlive leases.
      refs: { targetId: context.target?.targetId ?? null, runtimeRef: sessionId, ...refs },
      readinessTimeoutMs,
    });
    descriptor = parseDescriptor(descriptor, refs);
    descriptor = parseDescriptor(await bridge.claim(descriptor, { runtimeOwner: plan.driver.id, runtimeRef: sessionId }), refs);
    if (descriptor.status === 'failed') {
      throw boundaryError('resource_unavailable', { reason: 'boundary_failed', message: `boundary ${boundarySessionId} failed to start`, ...refs });
    }
    bridge.projectAttachMetadata(descriptor);
    return descriptor;
  } catch (error) {
    await bridge.adapter.stop(boundarySessionId).catch(() => {});
    throw error;
  }
}
