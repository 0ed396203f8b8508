import { canonicalHash } from '@integration/contracts';

/**
 * The dedupe key of a delivery: the provider's external (delivery) id when there is one, else the
 * SHA-256 of the payload's RFC 8785 canonical JSON (`sha256:<hex>`), identical in every process.
 */
export function dedupeKeyFor(externalId: string | null | undefined, payload: unknown): string {
  if (typeof externalId === 'string' && externalId.trim() !== '') return externalId;
  return canonicalHash(payload === undefined ? null : payload);
}
