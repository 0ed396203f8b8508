import { ValidationError } from '@integration/contracts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(limit: number): ValidationError {
  return new ValidationError('payload_too_large', `request body exceeds ${limit} bytes`, { details: { limitBytes: limit } });
}

function declaredLength(value: string | null | undefined): number | null {
  if (!value || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** Reads a Fetch body, aborting the stream as soon as it passes `limit` bytes. */
export async function readFetchBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers.get('content-length'));
  if (declared !== null && declared > limit) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
