import { denyIf, type PolicyRule } from '../rule';

/** An actor is needed when the contract requires one or restricts actors; it must be on the allowlist. */
export const requireActor: PolicyRule = {
  name: 'require_actor',
  description: 'actor present when required (or allowlisted); actor ∈ contract allowlist when one is set',
  evaluate({ contract, request }) {
    const { required, allowedIds } = contract.actor;
    const actor = request.actorId;
    if (actor === null) return denyIf(required || allowedIds.length > 0 ? ['actor_id is required'] : []);
    return denyIf(allowedIds.length > 0 && !allowedIds.includes(actor) ? [`actor ${actor} is not allowed`] : []);
  },
};
