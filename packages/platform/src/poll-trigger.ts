import { z } from 'zod';
import {
  isoAt,
  parseAt,
  pollPassIdOf,
  ValidationError,
  type Clock,
  type PollPassResult,
  type Run,
  type Stores,
  type TriggerCheckpoint,
} from '@integration/contracts';
import type { ControlPlane } from '@integration/control-plane';
import { definitionFromTrigger, type Admission, type Ingress } from '@integration/ingress';
import type { DispatchQueue, EnqueueResult } from '@integration/dispatch';

export const PollTriggerOptionsSchema = z.strictObject({
  tenantId: z.string().min(1),
  /** Required when the trigger needs scopes; its lease is what the poll function sees. */
  connectionId: z.string().min(1).optional(),
  /** Checkpoint partition; defaults to the connection id, else `default`. */
  partitionKey: z.string().min(1).optional(),
  config: z.unknown().optional(),
  actorId: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  traceId: z.string().min(1).optional(),
  /** Enqueue each admitted signal's run on the dispatch queue (default true). */
  dispatch: z.boolean().default(true),
  timeoutMs: z.number().int().positive().optional(),
});
export type PollTriggerOptions = z.input<typeof PollTriggerOptionsSchema>;

export interface PollTriggerResult {
  /** The ledger run of the poll pass: its policy decision, lease use and events are recorded there. */
  pass: Run;
  /** One per signal the poll returned: accepted, or duplicate of an earlier admission. */
  admissions: Admission[];
  checkpoint: TriggerCheckpoint | null;
}

export interface PollDeps {
  stores: Stores;
  controlPlane: ControlPlane;
  ingress: Ingress;
  queue: DispatchQueue;
  clock: Clock;
}

/**
 * One poll pass of a poll trigger. The pass is an invoke of the trigger's poll-pass capability
 * (`<trigger>#poll`) through the control plane: policy decides, the connection's credential is
 * bound and leased, the pass is a ledger run, `signal` cancels it. Each signal it finds is then
 * admitted through ingress (dedupe, checkpoint, run) and its run enqueued. A pass that finds
 * nothing still advances the checkpoint; a denied pass takes no lease and throws `policy_denied`
 * with its denied run attached.
 */
export async function pollTrigger(deps: PollDeps, triggerId: string, rawOptions: PollTriggerOptions, signal?: AbortSignal): Promise<PollTriggerResult> {
  const options = parseAt(PollTriggerOptionsSchema, rawOptions, 'pollTrigger options');
  const capability = deps.controlPlane.fetchCapability(triggerId);
  const trigger = capability.trigger;
  if (!trigger || trigger.deliveryMode !== 'poll' || !trigger.poll) {
    throw new ValidationError('invalid_argument', `${triggerId} is not a poll trigger`, { details: { triggerId } });
  }
  const partitionKey = options.partitionKey ?? options.connectionId ?? 'default';
  const key = { tenantId: options.tenantId, connectorId: capability.connectorId, triggerId, partitionKey };
  const previous = await deps.stores.ingress.fetchCheckpoint(key);

  const passId = pollPassIdOf(triggerId);
  const { run: pass, output } = await deps.controlPlane.invoke(
    {
      capabilityId: passId,
      input: { config: options.config ?? {}, cursor: previous?.cursor ?? null },
      connectionId: options.connectionId,
      tenantId: options.tenantId,
      actorId: options.actorId,
      environment: options.environment,
      traceId: options.traceId,
      allowedOperations: [passId],
      timeoutMs: options.timeoutMs,
    },
    { signal },
  );
  const found = output as PollPassResult;

  const definition = definitionFromTrigger(capability.connectorId, trigger);
  const admissions: Admission[] = [];
  let checkpoint: TriggerCheckpoint | null = null;
  for (const [index, event] of found.signals.entries()) {
    signal?.throwIfAborted();
    let enqueued: EnqueueResult | undefined;
    const admission = await deps.ingress.admitPoll(
      {
        tenantId: options.tenantId,
        partitionKey,
        cursor: found.checkpoint.cursor,
        event,
        externalId: found.dedupeKeys[index]!,
        lastEventId: found.checkpoint.lastEventId ?? found.dedupeKeys.at(-1) ?? null,
        lastEventTime: found.checkpoint.lastEventTime ?? null,
      },
      definition,
      options.dispatch ? { within: async (tx, admitted) => void (enqueued = await deps.queue.enqueueWithin(tx, admitted)) } : {},
    );
    if (enqueued) deps.queue.announce(enqueued);
    admissions.push(admission);
    checkpoint = admission.checkpoint;
  }
  if (found.signals.length === 0) {
    checkpoint = await deps.stores.ingress.putCheckpoint({
      ...key,
      cursor: found.checkpoint.cursor,
      lastEventId: found.checkpoint.lastEventId ?? previous?.lastEventId ?? null,
      lastEventTime: found.checkpoint.lastEventTime ?? previous?.lastEventTime ?? null,
      revision: 1,
      metadata: {},
      updatedAt: isoAt(deps.clock.now()),
    });
  }
  return { pass, admissions, checkpoint };
}
