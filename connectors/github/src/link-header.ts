/** Page numbers named by a GitHub `Link` response header (RFC 8288), e.g. `rel="next"`. */
export interface PageLinks {
  next: number | null;
  prev: number | null;
  first: number | null;
  last: number | null;
}

const relations = ['next', 'prev', 'first', 'last'] as const;

/**
 * Parses `<https://api.github.com/…?page=2&per_page=30>; rel="next", <…?page=5…>; rel="last"`.
 * Unknown relations, malformed entries and links without a positive `page` are ignored, so any
 * header value yields a result (never throws).
 */
export function parsePageLinks(header: string | null | undefined): PageLinks {
  const links: PageLinks = { next: null, prev: null, first: null, last: null };
  if (!header) return links;
  for (const entry of splitEntries(header)) {
    const match = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(entry);
    if (!match) continue;
    const page = pageOf(match[1] ?? '');
    if (page === null) continue;
    for (const param of (match[2] ?? '').split(';')) {
      const rel = /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(param);
      if (!rel) continue;
      for (const name of (rel[1] ?? '').toLowerCase().split(/\s+/)) {
        if ((relations as readonly string[]).includes(name)) links[name as keyof PageLinks] = page;
      }
    }
  }
  return links;
}

/** Splits on commas that separate link entries (commas inside `<…>` belong to the URL). */
function splitEntries(header: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < header.length; i += 1) {
    const ch = header[i];
    if (ch === '<') depth += 1;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      entries.push(header.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(header.slice(start));
  return entries;
}

function pageOf(url: string): number | null {
  let parsed: URL;
  try {
    parsed = new URL(url, 'https://api.github.com');
  } catch {
    return null;
  }
  const raw = parsed.searchParams.get('page');
  if (raw === null || !/^\d{1,9}$/.test(raw)) return null;
  const page = Number(raw);
  return page >= 1 ? page : null;
}
