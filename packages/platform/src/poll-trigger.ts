import { z } from 'zod';
import {
  attemptIdFor,
  AuthError,
  isoAt,
  newId,
  NEVER_ABORTED,
  parseAt,
  ValidationError,
  type Capability,
  type Clock,
  type Logger,
  type Runtime,
  type Stores,
  type TriggerCheckpoint,
} from '@integration/contracts';
import type { AuthService } from '@integration/auth';
import { anonymousLease, type ControlPlane } from '@integration/control-plane';
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
  /** Enqueue each admitted signal's run on the dispatch queue (default true). */
  dispatch: z.boolean().default(true),
  timeoutMs: z.number().int().positive().optional(),
});
export type PollTriggerOptions = z.input<typeof PollTriggerOptionsSchema>;

export interface PollTriggerResult {
  /** One per signal the poll returned: accepted, or duplicate of an earlier admission. */
  admissions: Admission[];
  checkpoint: TriggerCheckpoint | null;
}

const PollResultSchema = z
  .strictObject({
    signals: z.array(z.unknown()),
    dedupeKeys: z.array(z.string().min(1)),
    checkpoint: z.strictObject({
      cursor: z.string(),
      lastEventTime: z.string().nullish(),
      lastEventId: z.string().nullish(),
    }),
  })
  .refine((r) => r.signals.length === r.dedupeKeys.length, { message: 'a poll returns one dedupe key per signal' });

export interface PollDeps {
  stores: Stores;
  controlPlane: ControlPlane;
  auth: AuthService;
  direct: Runtime;
  ingress: Ingress;
  queue: DispatchQueue;
  clock: Clock;
  logger: Logger;
}

/**
 * One poll pass of a poll trigger: run its `poll` function under a lease (through the direct
 * runtime, so the signal, timeout and redaction rules of handlers apply) with the stored checkpoint
 * cursor, then admit each signal through ingress (dedupe, checkpoint, run) and enqueue its run.
 * A pass that finds nothing still advances the checkpoint. A poll pass is not itself a ledger run.
 */
export async function pollTrigger(deps: PollDeps, triggerId: string, rawOptions: PollTriggerOptions): Promise<PollTriggerResult> {
  const options = parseAt(PollTriggerOptionsSchema, rawOptions, 'pollTrigger options');
  const capability = deps.controlPlane.fetchCapability(triggerId);
  const trigger = capability.trigger;
  if (!trigger || trigger.deliveryMode !== 'poll' || !trigger.poll) {
    throw new ValidationError('invalid_argument', `${triggerId} is not a poll trigger`, { details: { triggerId } });
  }
  const config = parseAt(trigger.config, options.config ?? {}, `invalid config for ${triggerId}`, 'invalid_input');
  const partitionKey = options.partitionKey ?? options.connectionId ?? 'default';
  const key = { tenantId: options.tenantId, connectorId: capability.connectorId, triggerId, partitionKey };
  const previous = await deps.stores.ingress.fetchCheckpoint(key);

  if (!options.connectionId && capability.requiredScopes.length > 0) {
    throw new AuthError('connection_required', `${triggerId} requires scopes (${capability.requiredScopes.join(', ')}); pass a connectionId`);
  }
  const lease = options.connectionId
    ? await deps.auth.requestLease(options.connectionId, { requiredScopes: capability.requiredScopes, actorId: options.actorId ?? null })
    : anonymousLease(deps.clock);

  const passId = newId('run');
  const poll = trigger.poll;
  const pollCapability: Capability = { ...capability, runtimeClass: 'direct', handler: (input, ctx) => poll(input as never, ctx) };
  const result = await deps.direct.execute(pollCapability, { config, cursor: previous?.cursor ?? null }, {
    runId: passId,
    attempt: 1,
    attemptId: attemptIdFor(passId, 1),
    lease,
    credentialRef: { id: lease.credentialRefId, subject: lease.subject, scopes: lease.scopes, authType: 'none', connectionId: options.connectionId ?? null, installId: null, connectorId: capability.connectorId, tenantId: options.tenantId },
    connectionId: options.connectionId ?? null,
    tenantId: options.tenantId,
    actorId: options.actorId ?? null,
    traceId: null,
    idempotencyKey: null,
    executionPolicy: { runtimeClass: 'direct', sandbox: capability.policy.sandbox },
    target: null,
    signal: NEVER_ABORTED,
    timeoutMs: options.timeoutMs ?? capability.timeoutMs,
    logger: deps.logger,
    clock: deps.clock,
    extensions: {},
  });
  if (result.status === 'failed') throw result.error;
  deps.logger.debug({ triggerId, events: result.events.map((e) => e.type) }, 'poll pass finished');
  const found = parseAt(PollResultSchema, result.output, `poll of ${triggerId} returned an invalid result`, 'invalid_output');

  const definition = definitionFromTrigger(capability.connectorId, trigger);
  const admissions: Admission[] = [];
  let checkpoint: TriggerCheckpoint | null = null;
  for (const [index, signal] of found.signals.entries()) {
    let enqueued: EnqueueResult | undefined;
    const admission = await deps.ingress.admitPoll(
      {
        tenantId: options.tenantId,
        partitionKey,
        cursor: found.checkpoint.cursor,
        event: signal,
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
  return { admissions, checkpoint };
}
