import type { IntegrationError, Logger, Stores } from '@integration/contracts';
import { WithinFailure, type Admission } from './admit';
import type { IngressDefinition } from './definition';
import { AdmissionRejectedError, asIntegrationError } from './rejection';
import type { Draft } from './requests';
import { rejectedTrigger } from './trigger-records';

export interface GuardContext {
  stores: Stores;
  logger: Logger;
}

/** Stores the rejection of a delivery and throws it as an `AdmissionRejectedError`. */
async function reject(ctx: GuardContext, definition: IngressDefinition, draft: Draft, error: IntegrationError): Promise<never> {
  const trigger = rejectedTrigger(definition, draft, error);
  // A store failure here surfaces as itself (retryable), so the sender tries again.
  await ctx.stores.ingress.putTrigger(trigger);
  ctx.logger.info({ admissionId: trigger.admissionId, code: error.code, triggerId: definition.triggerId }, 'trigger rejected');
  throw new AdmissionRejectedError(error, trigger);
}

/** Runs the admission steps, storing a rejection for any typed failure except store outages. */
export async function guardedAdmission(ctx: GuardContext, definition: IngressDefinition, draft: Draft, steps: () => Promise<Admission>): Promise<Admission> {
  try {
    const admission = await steps();
    ctx.logger.debug({ admissionId: admission.trigger.admissionId, status: admission.status, runId: admission.run.runId }, 'trigger admitted');
    return admission;
  } catch (error) {
    if (error instanceof AdmissionRejectedError) throw error;
    // The caller's own in-transaction step failed: its error, not a rejection of the delivery.
    if (error instanceof WithinFailure) throw error.cause;
    const typed = asIntegrationError(error, 'invalid_trigger', 'trigger admission failed');
    // Outages, races and the platform's own configuration are not the delivery's fault: nothing is recorded.
    if (typed.category === 'store' || typed.category === 'conflict' || typed.code === 'key_configuration_missing') throw typed;
    return reject(ctx, definition, draft, typed);
  }
}
