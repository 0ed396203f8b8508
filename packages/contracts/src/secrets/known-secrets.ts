export const REDACTED = '[REDACTED]';

/**
 * Secrets shorter than this are matched only as whole tokens (not next to a letter, digit or `_`),
 * so that replacing a 3-character PIN cannot rewrite every word that happens to contain it.
 * Longer ones are matched anywhere, and in their common encodings too.
 */
export const WHOLE_TOKEN_BELOW = 8;

const wordChar = /[\p{L}\p{N}_]/u;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** base64 and base64url of `secret`'s bytes wherever they sit inside a longer encoded text (all three alignments). */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64');
    const first = shift === 0 ? 0 : 1;
    const last = Math.floor(padded.length / 3);
    if ((last - first) * 4 < WHOLE_TOKEN_BELOW) continue;
    const form = encoded.slice(first * 4, last * 4);
    forms.push(form, form.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Every spelling a long secret is looked for in: as is, URL-encoded, JSON-escaped, base64/base64url. */
function spellingsOf(secret: string): string[] {
  if (secret.length < WHOLE_TOKEN_BELOW) return [secret];
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), ...base64Forms(secret)];
}

function patternOf(spelling: string): string {
  const body = escapeRegExp(spelling);
  if (spelling.length >= WHOLE_TOKEN_BELOW) return body;
  const before = wordChar.test(spelling[0]!) ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = wordChar.test(spelling.at(-1)!) ? '(?![\\p{L}\\p{N}_])' : '';
  return `${before}${body}${after}`;
}

const isWordByte = (byte: number | undefined) =>
  byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte >= 0x80);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The secret values the platform holds for one call (a lease payload, a credential, a route or
 * client secret, the values of declared-secret fields), compiled once into one matcher. Redaction
 * by value: any length, nested anywhere, in every spelling listed above.
 */
export class KnownSecrets {
  static readonly none = new KnownSecrets([]);

  /** The union of `sources`; strings shorter than one character are ignored. */
  static of(...sources: Array<Iterable<string> | KnownSecrets | null | undefined>): KnownSecrets {
    const unique = new Set<string>();
    for (const source of sources) {
      if (!source) continue;
      const values = source instanceof KnownSecrets ? source.values : source;
      for (const value of values) if (typeof value === 'string' && value.length > 0) unique.add(value);
    }
    if (unique.size === 0) return KnownSecrets.none;
    // A set that already holds every value is reused: its matcher is compiled once.
    for (const source of sources) if (source instanceof KnownSecrets && source.values.length === unique.size) return source;
    return KnownSecrets.#compiledFor([...unique]);
  }

  /**
   * Compiling a matcher costs ~10 µs (more than the rest of a direct invoke), and the same values
   * come back call after call (every lease of one credential carries its token), so the last few
   * sets are kept. Bounded: the least recently used is dropped first.
   */
  static readonly #compiled = new Map<string, KnownSecrets>();
  static readonly #cacheSize = 64;

  static #compiledFor(values: string[]): KnownSecrets {
    const key = JSON.stringify(values);
    const hit = KnownSecrets.#compiled.get(key);
    if (hit) KnownSecrets.#compiled.delete(key);
    const found = hit ?? new KnownSecrets(values);
    KnownSecrets.#compiled.set(key, found);
    if (KnownSecrets.#compiled.size > KnownSecrets.#cacheSize) KnownSecrets.#compiled.delete(KnownSecrets.#compiled.keys().next().value!);
    return found;
  }

  readonly values: readonly string[];
  readonly #pattern: RegExp | null;
  /** Byte needles for binary content: [bytes, whole-token only]. */
  #needles: Array<[Buffer, boolean]> | undefined;

  private constructor(values: string[]) {
    this.values = Object.freeze(values);
    const spellings = [...new Set(values.flatMap(spellingsOf))].filter((s) => s.length > 0);
    // Longest first, so a secret that contains another is replaced whole.
    spellings.sort((a, b) => b.length - a.length);
    this.#pattern = spellings.length === 0 ? null : new RegExp(spellings.map(patternOf).join('|'), 'gu');
  }

  get isEmpty(): boolean {
    return this.#pattern === null;
  }

  /** This set and `more`. */
  with(...more: Array<Iterable<string> | KnownSecrets | null | undefined>): KnownSecrets {
    return KnownSecrets.of(this, ...more);
  }

  occursIn(text: string): boolean {
    if (this.#pattern === null) return false;
    this.#pattern.lastIndex = 0;
    return this.#pattern.test(text);
  }

  redactText(text: string): string {
    if (this.#pattern === null || text.length === 0) return text;
    this.#pattern.lastIndex = 0;
    if (!this.#pattern.test(text)) return text;
    return text.replace(this.#pattern, REDACTED);
  }

  /** UTF-8 content is redacted as text; other bytes by byte search (whole tokens by ASCII rules). */
  redactBytes(bytes: Uint8Array): Uint8Array {
    if (this.#pattern === null || bytes.byteLength === 0) return bytes;
    let text: string | null = null;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      text = null;
    }
    if (text !== null) {
      const clean = this.redactText(text);
      return clean === text ? bytes : new TextEncoder().encode(clean);
    }
    return this.#redactBinary(bytes);
  }

  #redactBinary(bytes: Uint8Array): Uint8Array {
    this.#needles ??= this.values
      .flatMap(spellingsOf)
      .sort((a, b) => b.length - a.length)
      .map((s): [Buffer, boolean] => [Buffer.from(s, 'utf8'), s.length < WHOLE_TOKEN_BELOW]);
    const replacement = Buffer.from(REDACTED, 'utf8');
    let current = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let changed = false;
    for (const [needle, wholeToken] of this.#needles) {
      const parts: Buffer[] = [];
      let start = 0;
      for (let index = current.indexOf(needle); index !== -1; index = current.indexOf(needle, index + needle.length)) {
        const bounded = !wholeToken || ((!isWordByte(needle[0]) || !isWordByte(current[index - 1])) && (!isWordByte(needle.at(-1)) || !isWordByte(current[index + needle.length])));
        if (!bounded) continue;
        parts.push(current.subarray(start, index), replacement);
        start = index + needle.length;
      }
      if (parts.length === 0) continue;
      parts.push(current.subarray(start));
      current = Buffer.concat(parts);
      changed = true;
    }
    return changed ? new Uint8Array(current.buffer, current.byteOffset, current.byteLength) : bytes;
  }
}

/** Every string inside a lease payload (or any secret map): all of them are secret by declaration. */
export function secretValuesOf(payload: unknown): string[] {
  const values: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'string') values.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(payload);
  return values;
}
