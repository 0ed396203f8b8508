import diagnostics from 'node:diagnostics_channel';

/** Live webhook routing telemetry (node:diagnostics_channel); payloads hold ids, codes and counts: never bodies, headers or secrets. */
export const webhookChannels = {
  resolved: diagnostics.channel('integration:webhook:resolved'),
  failed: diagnostics.channel('integration:webhook:failed'),
} as const;

export function publishWebhook(name: keyof typeof webhookChannels, payload: Record<string, unknown>): void {
  const channel = webhookChannels[name];
  if (channel.hasSubscribers) channel.publish(payload);
}
