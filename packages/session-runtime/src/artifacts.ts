import {
  ArtifactRefSchema,
  canonicalJson,
  checksumOf,
  isoAt,
  newId,
  redact,
  type ArtifactInput,
  type ArtifactPayloadStore,
  type ArtifactRef,
  type RuntimeContext,
} from '@integration/contracts';

function toBytes(content: ArtifactInput['content']): Uint8Array {
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return new TextEncoder().encode(canonicalJson(content));
}

/**
 * Redacts the content (by key and by the lease's secret values), stores the bytes and returns a
 * reference. The key is `<connectorId>/<runId>/<attemptId>/<slug>`: portable, never a local path.
 */
export async function recordArtifact(
  payloads: ArtifactPayloadStore,
  context: RuntimeContext,
  connectorId: string,
  input: ArtifactInput,
  secrets: string[],
): Promise<ArtifactRef> {
  const content =
    input.content instanceof Uint8Array
      ? new TextEncoder().encode(redact(new TextDecoder().decode(input.content), { secrets }))
      : typeof input.content === 'string'
        ? redact(input.content, { secrets })
        : redact(input.content, { secrets });
  const bytes = toBytes(content);
  const checksum = checksumOf(bytes);
  const key = `${connectorId}/${context.runId}/${context.attemptId}/${input.slug}`;
  await payloads.put(key, bytes);
  return ArtifactRefSchema.parse({
    artifactId: newId('art', context.clock.now()),
    runId: context.runId,
    attemptId: context.attemptId,
    artifactType: input.type,
    checksum,
    sizeBytes: bytes.byteLength,
    payloadRef: { store: payloads.name, key, checksum, sizeBytes: bytes.byteLength },
    metadata: redact(input.metadata ?? {}, { secrets }),
    createdAt: isoAt(context.clock.now()),
  });
}
