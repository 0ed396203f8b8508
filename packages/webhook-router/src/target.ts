/** Where a delivery is addressed: `{basePath}/:connectorId[/:installId]`, with its query. */
export interface WebhookTarget {
  connectorId: string;
  installId?: string;
  query: Record<string, string>;
}

/** `basePath` with one leading slash and no trailing one (`'webhooks/'` → `'/webhooks'`). */
export function normalizeBasePath(basePath = '/webhooks'): string {
  return `/${basePath.replace(/^\/+|\/+$/g, '')}`;
}

/**
 * A plain `/base/connector[/install]` path (unreserved characters; no dot segments, query,
 * escapes or leading `//` authority) is its own pathname: no URL parser needed.
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_~\-/]*$/;

function pathAndQuery(url: string): { path: string; query: Record<string, string> } | null {
  if (PLAIN_PATH.test(url)) return { path: url, query: {} };
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://localhost');
  } catch {
    return null;
  }
  return { path: parsed.pathname, query: Object.fromEntries(parsed.searchParams.entries()) };
}

/** The target of a delivery URL (path and query, or absolute); null when it is not under `basePath`. */
export function parseTarget(url: string, basePath: string): WebhookTarget | null {
  const parts = pathAndQuery(url);
  if (!parts) return null;
  const path = parts.path.replace(/\/+$/, '');
  if (!path.startsWith(`${basePath}/`)) return null;
  const segments = path.slice(basePath.length + 1).split('/');
  if (segments.length < 1 || segments.length > 2 || segments.some((s) => s === '')) return null;
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  const [connectorId, installId] = decoded as [string, string | undefined];
  return installId === undefined ? { connectorId, query: parts.query } : { connectorId, installId, query: parts.query };
}
