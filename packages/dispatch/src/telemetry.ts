import diagnostics from 'node:diagnostics_channel';
import type { DispatchJob } from '@integration/contracts';

/** Live telemetry channels (node:diagnostics_channel). Payloads hold job metadata (ids, states, the stored error summary), never a run's input. */
export const dispatchChannels = {
  enqueue: diagnostics.channel('integration:dispatch:enqueue'),
  deliver: diagnostics.channel('integration:dispatch:deliver'),
  retry: diagnostics.channel('integration:dispatch:retry'),
  dead_letter: diagnostics.channel('integration:dispatch:dead_letter'),
  replay: diagnostics.channel('integration:dispatch:replay'),
} as const;

export type DispatchChannel = keyof typeof dispatchChannels;

export function jobMetadata(job: DispatchJob): Record<string, unknown> {
  return {
    dispatchId: job.dispatchId,
    runId: job.runId,
    admissionId: job.admissionId,
    tenantId: job.tenantId,
    connectorId: job.connectorId,
    triggerId: job.triggerId,
    capabilityId: job.capabilityId,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    availableAt: job.availableAt,
    lastError: job.lastError,
    completedAt: job.completedAt,
    deadLetteredAt: job.deadLetteredAt,
  };
}

export function publish(name: DispatchChannel, job: DispatchJob, extra: Record<string, unknown> = {}): void {
  const channel = dispatchChannels[name];
  if (!channel.hasSubscribers) return;
  channel.publish({ ...jobMetadata(job), ...extra });
}
