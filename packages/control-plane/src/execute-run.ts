import { z } from 'zod';
import {
  ConflictError,
  exactRunInput,
  isIntegrationError,
  NotFoundError,
  parseAt,
  PressureSchema,
  SandboxInputSchema,
  type Run,
} from '@integration/contracts';
import type { ControlPlaneContext } from './context';
import { failedBeforeAttempt } from './invoke/admission';
import { persistRejection } from './invoke/persist-rejection';
import { execute, type InvokeResult } from './invoke/execute-plan';
import { executionRequestOf } from './invoke/execution-request';
import { rebind } from './invoke/resolve-binding';
import { callInputOf, type RunPlan } from './invoke/run-plan';

export const ExecuteRunOptionsSchema = z.strictObject({
  actorId: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  traceId: z.string().min(1).optional(),
  allowedOperations: z.array(z.string().min(1)).optional(),
  sandbox: SandboxInputSchema.optional(),
  pressure: PressureSchema.optional(),
  aggregatorId: z.string().min(1).optional(),
  aggregatorEpoch: z.number().int().positive().optional(),
  timeoutMs: z.number().int().positive().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
  /** Re-execute a run left `running` by a delivery whose worker died (dispatch recovery). */
  allowRunning: z.boolean().optional(),
});
export type ExecuteRunOptions = z.input<typeof ExecuteRunOptionsSchema>;

const terminal: Partial<Record<Run['status'], 'run_completed' | 'run_denied' | 'run_shed'>> = {
  completed: 'run_completed',
  denied: 'run_denied',
  shed: 'run_shed',
};

/**
 * A run that cannot start again (its stored input no longer parses or cannot be opened, its
 * connection is gone) ends `failed` with a `run.failed` event saying why, instead of staying
 * `accepted` beside a dead-lettered job. Store outages and conflicts change nothing.
 */
async function prepared<T>(ctx: ControlPlaneContext, run: Run, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!isIntegrationError(error) || error.category === 'store' || error.category === 'conflict') throw error;
    const stored = await persistRejection(ctx, ctx.writer, run, false, failedBeforeAttempt(error, null));
    throw error.withRecords({ run: stored });
  }
}

/** A new attempt (number = highest + 1) for an accepted or failed run, on its exact stored input. Terminal runs are refused untouched. */
export async function executeRun(ctx: ControlPlaneContext, runId: unknown, rawOptions: unknown = {}, signal?: AbortSignal): Promise<InvokeResult> {
  const id = parseAt(z.string().min(1), runId, 'executeRun: runId');
  const options = parseAt(ExecuteRunOptionsSchema, rawOptions ?? {}, 'executeRun: invalid options');
  const run = await ctx.stores.ledger.fetchRun(id);
  if (!run) throw new NotFoundError('unknown_run', `no run ${id}`, { details: { runId: id } });
  const refusal = terminal[run.status];
  if (refusal) throw new ConflictError(refusal, `run ${id} is ${run.status} and cannot be executed again`, { details: { runId: id }, run });
  if (run.status === 'running' && !options.allowRunning) {
    throw new ConflictError('run_not_executable', `run ${id} is running`, { details: { runId: id }, run });
  }
  const plan = await prepared(ctx, run, async (): Promise<RunPlan> => {
    const capability = ctx.registry.fetchCapability(run.capabilityId);
    const input = parseAt(capability.inputSchema, exactRunInput(run, ctx.sealer), `stored input of run ${id} no longer matches ${capability.id}`, 'invalid_input');
    return {
      capability,
      call: callInputOf(capability, input),
      run,
      isNew: false,
      binding: await rebind(ctx, run.credentialRef),
      request: executionRequestOf(
        options,
        { actorId: run.actorId, tenantId: run.tenantId, traceId: run.traceId, idempotencyKey: run.idempotencyKey, allowedOperations: [capability.id] },
        signal,
      ),
      allowRunning: options.allowRunning ?? false,
    };
  });
  return execute(ctx, plan);
}
