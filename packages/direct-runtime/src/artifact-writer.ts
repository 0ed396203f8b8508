import { z } from 'zod';
import {
  ArtifactRefSchema,
  ArtifactTypeSchema,
  canonicalJson,
  checksumOf,
  ConflictError,
  IntegrationError,
  isoAt,
  newId,
  parseAt,
  redact,
  StoreError,
  ValidationError,
  type ArtifactInput,
  type ArtifactPayloadStore,
  type ArtifactRef,
  type Clock,
  type KnownSecrets,
} from '@integration/contracts';
import { isDeepStrictEqual } from 'node:util';

/** Store name used in payload refs when no payload store is configured. */
export const DEFAULT_PAYLOAD_STORE = 'connector_review';

/** A slug is one key segment: no slashes, no `..`, nothing that could read as a path. */
export const ArtifactSlugSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'slug must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit')
  .refine((slug) => !slug.includes('..'), 'slug may not contain ".."');

const ArtifactInputSchema = z.strictObject({
  type: ArtifactTypeSchema,
  slug: ArtifactSlugSchema,
  content: z.union([z.string(), z.instanceof(Uint8Array), z.array(z.unknown()), z.record(z.string(), z.unknown())]),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export interface ArtifactWriterOptions {
  connectorId: string;
  runId: string;
  attemptId: string;
  secrets: KnownSecrets;
  clock: Clock;
  signal: AbortSignal;
  store?: ArtifactPayloadStore | undefined;
}

export interface SerialisedContent {
  bytes: Uint8Array;
  redacted: boolean;
}

/** Strings and bytes as-is, objects as canonical JSON — after redaction of the known secret values. */
export function serialiseContent(content: ArtifactInput['content'], secrets: KnownSecrets): SerialisedContent {
  if (typeof content === 'string') {
    const clean = secrets.redactText(content);
    return { bytes: new TextEncoder().encode(clean), redacted: clean !== content };
  }
  if (content instanceof Uint8Array) {
    const clean = secrets.redactBytes(content);
    return { bytes: clean, redacted: clean !== content };
  }
  const before = jsonOf(content, 'content');
  const after = secrets.isEmpty ? before : jsonOf(redact(content, { secrets }), 'content');
  return { bytes: new TextEncoder().encode(after), redacted: after !== before };
}

function jsonOf(value: unknown, label: string): string {
  try {
    return canonicalJson(value);
  } catch {
    throw new ValidationError('invalid_argument', `artifact ${label} is not JSON-serialisable`);
  }
}

/** Records artifacts for one attempt: validate, redact, hash, store the bytes, return the reference. */
export function createArtifactWriter(options: ArtifactWriterOptions) {
  const slugs = new Set<string>();
  const storeName = options.store?.name ?? DEFAULT_PAYLOAD_STORE;

  async function write(input: ArtifactInput): Promise<ArtifactRef> {
    if (options.signal.aborted) throw options.signal.reason;
    const parsed = parseAt(ArtifactInputSchema, input, 'artifact');
    if (slugs.has(parsed.slug)) {
      throw new ConflictError('duplicate_record', `artifact slug "${parsed.slug}" was already recorded in attempt ${options.attemptId}`, {
        details: { slug: parsed.slug, attemptId: options.attemptId },
      });
    }
    const { bytes, redacted: contentRedacted } = serialiseContent(input.content, options.secrets);
    const metadata = input.metadata ?? {};
    const cleanMetadata = redact(metadata, { secrets: options.secrets });
    jsonOf(cleanMetadata, 'metadata');
    const metadataRedacted = cleanMetadata !== metadata && !isDeepStrictEqual(cleanMetadata, metadata);

    const key = `${options.connectorId}/${options.runId}/${options.attemptId}/${parsed.slug}`;
    const checksum = checksumOf(bytes);
    const now = options.clock.now();
    const ref = parseAt(
      ArtifactRefSchema,
      {
        artifactId: newId('art', now),
        runId: options.runId,
        attemptId: options.attemptId,
        artifactType: parsed.type,
        transportMode: 'object_store',
        checksum,
        sizeBytes: bytes.byteLength,
        payloadRef: { store: storeName, key, checksum, sizeBytes: bytes.byteLength },
        redactionStatus: contentRedacted || metadataRedacted ? 'redacted' : 'clear',
        metadata: cleanMetadata,
        createdAt: isoAt(now),
      },
      'artifact ref',
    );

    slugs.add(parsed.slug);
    try {
      if (options.store) await options.store.put(key, bytes);
    } catch (error) {
      slugs.delete(parsed.slug);
      if (error instanceof IntegrationError) throw error;
      throw new StoreError('store_unavailable', `artifact payload store "${storeName}" could not store ${key}`, {
        retryable: true,
        cause: error,
        details: { store: storeName, key },
      });
    }
    return ref;
  }

  return { write };
}
