import { declaredSecrets, type Capability, type DeclaredView, type Run } from '@integration/contracts';
import type { ResolvedBinding } from '../auth-binding';
import type { ExecutionRequest } from './execution-request';

/** The input of one execution: exact (what the handler receives) and its declared-secret view. */
export interface CallInput {
  exact: unknown;
  declared: DeclaredView<unknown>;
}

/**
 * Everything one execution needs, built the same way by invoke (a new run, `isNew`) and by
 * executeRun (a stored run): `execute(ctx, plan)` takes it from admission to completion.
 */
export interface RunPlan {
  capability: Capability;
  call: CallInput;
  /** A new run's draft (its input is recorded once the call's secrets are known), or the stored run. */
  run: Run;
  isNew: boolean;
  binding: ResolvedBinding;
  request: ExecutionRequest;
  /** Re-execute a run left `running` by a delivery whose worker died (dispatch recovery). */
  allowRunning: boolean;
}

export const callInputOf = (capability: Capability, exact: unknown): CallInput => ({ exact, declared: declaredSecrets(capability.inputSchema, exact) });
