import { z } from 'zod';
import type { Capability } from './capability';
import type { DirectHandler } from './define-operation';

/** A poll pass is recorded under its own capability id; authored ids cannot contain `#`. */
export const pollPassIdOf = (triggerId: string): string => `${triggerId}#poll`;

export const PollResultSchema = z
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
export type PollPassResult = z.output<typeof PollResultSchema>;

/**
 * The capability a poll pass of a poll trigger runs as: the trigger's scopes, policy and sandbox,
 * its `poll` function as the handler, `{ config, cursor }` in and the poll result out. Invoking it
 * goes through the same admission as any operation (policy decision, credential binding, lease,
 * ledger run, AbortSignal); null for a trigger that does not poll.
 */
export function pollPassCapability(trigger: Capability): Capability | null {
  const definition = trigger.trigger;
  if (!definition || definition.deliveryMode !== 'poll' || !definition.poll) return null;
  const poll = definition.poll;
  const id = pollPassIdOf(trigger.id);
  const granted = trigger.policy.allowedOperations;
  return {
    ...trigger,
    id,
    kind: 'operation',
    runtimeClass: 'direct',
    name: `${trigger.name}_poll`,
    displayName: `${trigger.displayName} (poll pass)`,
    description: `One poll pass of ${trigger.id}: the signals after a checkpoint cursor.`,
    inputSchema: z.strictObject({ config: definition.config, cursor: z.string().nullable() }),
    outputSchema: PollResultSchema,
    // Whoever may run the trigger may poll for it.
    policy: { ...trigger.policy, runtime: { allowed: ['direct'] }, allowedOperations: granted.includes(trigger.id) ? [...granted, id] : granted },
    handler: ((input, ctx) => poll(input as never, ctx)) as DirectHandler<unknown, unknown>,
    trigger: null,
  };
}
