import diagnostics from 'node:diagnostics_channel';
import { redact } from '@integration/contracts';

/** Live webhook routing telemetry (node:diagnostics_channel); payloads are redacted, bodies never included. */
export const webhookChannels = {
  resolved: diagnostics.channel('integration:webhook:resolved'),
  failed: diagnostics.channel('integration:webhook:failed'),
} as const;

export function publishWebhook(name: keyof typeof webhookChannels, payload: Record<string, unknown>): void {
  const channel = webhookChannels[name];
  if (channel.hasSubscribers) channel.publish(redact(payload));
}
