/** Request headers as the ingress sees them: a Fetch `Headers` or a node-style record. */
export type HeaderInput = Headers | Record<string, string | string[] | undefined>;

/** Maps this module produced: normalizing one again returns it as is (router and ingress both normalize). */
const normalized = new WeakSet<object>();

/** Lower-cased header map; repeated node headers are joined with ", " like the Fetch API does. */
export function normalizeHeaders(headers: HeaderInput | undefined | null): Record<string, string> {
  if (headers && normalized.has(headers)) return headers as Record<string, string>;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  normalized.add(out);
  if (!headers) return out;
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, key) => {
      out[key.toLowerCase()] = value;
    });
    return out;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return value === undefined || value === '' ? undefined : value;
}
