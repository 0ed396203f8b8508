import { agentFailure, describeCause } from './errors';
import type { ControlContext } from './control-types';
import type { BoundaryControl } from './spec';
import type { TurnState } from './turn-state';

/**
 * Runs one boundary control: `allow` records the pass, `block`/`interrupt` (or anything else)
 * stop the turn with `agent_control_failed`, naming the control, the boundary and the operation.
 */
export async function runControl(turn: TurnState, entry: BoundaryControl, ctx: ControlContext, operation?: string): Promise<void> {
  const name = entry.control.name;
  const where = { control: name, boundary: ctx.boundary, ...(operation ? { operation } : {}) };
  let decision: unknown;
  try {
    decision = await turn.budget.bounded(() => entry.control.call(ctx));
  } catch (error) {
    if (turn.budget.isOwn(error)) throw error;
    throw turn.budget.mark(
      agentFailure('agent_control_failed', `control "${name}" failed at the ${ctx.boundary} boundary`, { kind: 'control_failed', ...where, cause: describeCause(error) }, error),
    );
  }
  const verdict = typeof decision === 'string' ? decision : (decision as { decision?: unknown } | null)?.decision;
  const reason = typeof decision === 'object' && decision !== null ? (decision as { reason?: unknown }).reason : undefined;
  if (verdict === 'allow') {
    turn.events.push({ type: 'control_allowed', ...where });
    return;
  }
  const kind = verdict === 'block' ? 'control_blocked' : verdict === 'interrupt' ? 'control_interrupted' : 'invalid_control_decision';
  const what = kind === 'control_blocked' ? 'blocked' : kind === 'control_interrupted' ? 'interrupted' : 'returned an invalid decision at';
  throw turn.budget.mark(
    agentFailure('agent_control_failed', `control "${name}" ${what} the ${ctx.boundary}${operation ? ` (${operation})` : ''}`, {
      kind,
      ...where,
      ...(typeof reason === 'string' ? { cause: reason } : {}),
    }),
  );
}
