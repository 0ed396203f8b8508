import { authoredRequirements, ExecutionError, NotFoundError, targetCompatibility, type Capability, type TargetDescriptor } from '@integration/contracts';
import type { ControlPlaneContext } from '../context';

/** Step 3: a named target must exist and accept the capability's authored requirements. */
export async function checkTarget(ctx: ControlPlaneContext, capability: Capability, targetId: string | null): Promise<TargetDescriptor | null> {
  if (targetId === null) return null;
  const target = await ctx.stores.ledger.fetchTarget(targetId);
  if (!target) throw new NotFoundError('unknown_target', `no target ${targetId}`, { details: { targetId } });
  const compatibility = targetCompatibility(target, authoredRequirements(capability));
  if (!compatibility.compatible) {
    throw new ExecutionError('target_incompatible', `target ${targetId} is incompatible: ${compatibility.detail}`, {
      details: { targetId, reason: compatibility.reason },
    });
  }
  return target;
}
