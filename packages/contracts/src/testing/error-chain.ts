/**
 * Every text a thrown value carries down its chain: message, stack, details and upstream (as JSON)
 * of the error, its `cause`, and each of an `AggregateError`'s `errors`, at any depth (cycles
 * visited once). Tests search it for canary secrets.
 */
export function errorChainTexts(error: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const e = node as { message?: unknown; stack?: unknown; cause?: unknown; errors?: unknown; details?: unknown; upstream?: unknown };
    texts.push(String(e.message ?? ''), String(e.stack ?? ''), JSON.stringify(e.details ?? null), JSON.stringify(e.upstream ?? null));
    walk(e.cause);
    if (Array.isArray(e.errors)) e.errors.forEach(walk);
  };
  walk(error);
  return texts;
}
