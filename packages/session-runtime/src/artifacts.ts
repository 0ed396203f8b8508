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
  type KnownSecrets,
  type RuntimeContext,
} from '@integration/contracts';

function toBytes(content: ArtifactInput['content']): Uint8Array {
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return new TextEncoder().encode(canonicalJson(content));
}

/**
 * Redacts the content (the attempt's known secret values), stores the bytes and returns a
 * reference. The key is `<connectorId>/<runId>/<attemptId>/<slug>`: portable, never a local path.
 */
export async function recordArtifact(
  payloads: ArtifactPayloadStore,
  context: RuntimeContext,
  connectorId: string,
  input: ArtifactInput,
  secrets: KnownSecrets,
): Promise<ArtifactRef> {
  const content =
    input.content instanceof Uint8Array
      ? secrets.redactBytes(input.content)
      : typeof input.content === 'string'
        ? secrets.redactText(input.content)
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
