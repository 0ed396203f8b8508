import { canonicalJson, type RuntimeContext } from '@integration/contracts';

/**
 * The stream's identity inside a connection: the input fields named by the authored
 * `runtime.options.streamKeyFields` (e.g. `['symbol', 'venue']`); one stream per connection otherwise.
 */
export function streamKeyOf(options: Record<string, unknown>, input: unknown): Record<string, unknown> {
  const fields = Array.isArray(options.streamKeyFields) ? options.streamKeyFields.filter((f): f is string => typeof f === 'string') : [];
  const source = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const key: Record<string, unknown> = {};
  for (const field of fields.sort()) key[field] = Object.hasOwn(source, field) ? (source[field] ?? null) : null;
  return key;
}

export function partitionKeyOf(context: RuntimeContext, provider: string | null, streamKey: Record<string, unknown>): string {
  const connection = context.connectionId ?? context.credentialRef.id;
  const target = context.target ? `@${context.target.targetId}` : '';
  const fields = Object.keys(streamKey).length > 0 ? canonicalJson(streamKey) : '_';
  return `${connection}${target}/${provider ?? '_'}/${fields}`;
}

export function tenantOf(context: RuntimeContext): string {
  return context.tenantId ?? context.credentialRef.tenantId ?? 'default';
}
