import { Composer, Lexer, Parser, isScalar, visit, type Document, type Node } from 'yaml';
import type { CST } from 'yaml';
type Token = CST.Token;
import type { ImportLimits } from './limits';
import { importFailure, invalidDocument } from './errors';
import { sanitizeDocument } from './sanitize';

export type ImportFormat = 'json' | 'yaml';

/** JSON when the text (after leading whitespace or a byte-order mark) starts with `{` or `[`, else YAML. */
export function detectFormat(text: string): ImportFormat {
  const head = text.replace(/^[\uFEFF\s]+/, '').charAt(0);
  return head === '{' || head === '[' ? 'json' : 'yaml';
}

export interface DecodeOptions {
  limits: ImportLimits;
  /** YAML merge keys (`<<`). Off by default: `<<` is then an ordinary (unknown) key. */
  yamlMergeKeys: boolean;
}

/** Decodes a string source into sanitized JSON data, enforcing every limit. */
export function decodeText(text: string, format: ImportFormat, options: DecodeOptions): unknown {
  const { limits } = options;
  // `length` is a lower bound of the UTF-8 size, so oversized sources are refused before any scan.
  const bytes = text.length > limits.maxBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw importFailure('import_limit_exceeded', `document is larger than ${limits.maxBytes} bytes`, {
      kind: 'import_limit_exceeded',
      limit: 'bytes',
      max: limits.maxBytes,
      actual: bytes,
    });
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === 'json') scanJsonDepth(body, limits.maxDepth);
  const data = format === 'json' ? parseJson(body) : parseYaml(body, options);
  return sanitizeDocument(data, limits);
}

/** JSON strings are unambiguous, so nesting is measured exactly on the text, stopping at the limit. */
function scanJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      // A container at depth d holds values at depth d; the root container is depth 0.
      if (depth - 1 > maxDepth) throw depthExceeded(maxDepth);
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // The engine's message can quote the source; report only the position.
    const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
    const position = match ? Number(match[1]) : null;
    throw invalidDocument(`malformed JSON${position === null ? '' : ` near ${lineColumn(text, position)}`}`, {
      kind: 'malformed_document',
      format: 'json',
      ...(position === null ? {} : { position }),
    });
  }
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

interface CstNode {
  type?: string;
  value?: unknown;
  items?: Array<{ key?: unknown; value?: unknown }>;
}

/**
 * YAML is parsed in stages so hostile input is measured before any recursive step runs: lexing
 * and CST parsing (both iterative) with a running nesting and size estimate, an exact depth and
 * size walk over the CST, and only then composition (core schema, no custom tags), a duplicate
 * key check, and conversion with a bounded alias expansion.
 */
function parseYaml(text: string, options: DecodeOptions): unknown {
  const { limits } = options;
  const tokens = lexAndParse(text, limits);
  const documents = tokens.filter((token) => token.type === 'document');
  if (documents.length > 1) {
    throw invalidDocument('a YAML stream with more than one document is not an agent document', {
      kind: 'malformed_document',
      format: 'yaml',
      code: 'MULTIPLE_DOCUMENTS',
    });
  }
  measureCst(documents as unknown as CstNode[], limits);

  const composer = new Composer({
    version: '1.2',
    schema: 'core',
    customTags: [],
    merge: options.yamlMergeKeys,
    uniqueKeys: false,
    strict: true,
    prettyErrors: false,
    intAsBigInt: false,
  });
  const docs: Document.Parsed[] = [...composer.compose(tokens, true, text.length)];
  const doc = docs[0];
  if (!doc) return null;
  const problem = doc.errors[0];
  if (problem) {
    const [start] = problem.linePos ?? [];
    throw invalidDocument(`malformed YAML (${problem.code}${start ? ` at line ${start.line}, column ${start.col}` : ''})`, {
      kind: 'malformed_document',
      format: 'yaml',
      code: problem.code,
      ...(start ? { line: start.line, column: start.col } : {}),
    });
  }
  const duplicate = duplicateKey(doc);
  if (duplicate) {
    const line = duplicate.range ? lineColumn(text, duplicate.range[0]) : null;
    throw invalidDocument(`malformed YAML (DUPLICATE_KEY${line ? ` at ${line}` : ''})`, { kind: 'malformed_document', format: 'yaml', code: 'DUPLICATE_KEY' });
  }
  const tagWarning = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (tagWarning || hasForeignTag(doc)) {
    const [start] = tagWarning?.linePos ?? [];
    throw invalidDocument(`YAML tags outside the core schema are not accepted${start ? ` (line ${start.line}, column ${start.col})` : ''}`, {
      kind: 'unsupported_yaml_tag',
      format: 'yaml',
      ...(start ? { line: start.line, column: start.col } : {}),
    });
  }
  try {
    return doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw importFailure('import_limit_exceeded', `YAML aliases expand beyond ${limits.maxAliasCount}`, {
        kind: 'import_limit_exceeded',
        limit: 'aliases',
        max: limits.maxAliasCount,
      });
    }
    throw invalidDocument('malformed YAML', { kind: 'malformed_document', format: 'yaml', code: 'UNRESOLVABLE' });
  }
}

function depthExceeded(max: number) {
  return importFailure('import_limit_exceeded', `document is nested deeper than ${max} levels`, {
    kind: 'import_limit_exceeded',
    limit: 'depth',
    max,
  });
}

function nodesExceeded(max: number) {
  return importFailure('import_limit_exceeded', `document has more than ${max} nodes`, { kind: 'import_limit_exceeded', limit: 'nodes', max });
}

/**
 * Lexes and parses in one pass. Before each lexer token reaches the CST parser, nesting is
 * estimated (block indentation levels, compact `- - -` chains, flow brackets) together with a
 * lower bound of the node count, so hostile input stops within a few tokens of a limit: the
 * parser itself slows down sharply on very deep input. The exact limits are applied to the
 * decoded data afterwards.
 */
function lexAndParse(text: string, limits: ImportLimits): Token[] {
  const threshold = limits.maxDepth * 2 + 8;
  const SCALAR = '\x1f';
  const parser = new Parser();
  const tokens: Token[] = [];
  const indents: number[] = [];
  let nodes = 0;
  let flow = 0;
  let chain = 0;
  let lineStart = true;
  let skipNext = false;
  for (const token of new Lexer().lex(text)) {
    for (const cst of parser.next(token)) tokens.push(cst);
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (token === SCALAR || token.startsWith('"') || token.startsWith("'") || token.startsWith('*')) {
      // Each scalar (plain, quoted or block) and each alias is at least one decoded node.
      skipNext = token === SCALAR;
      nodes += 1;
      if (nodes > limits.maxNodes) throw nodesExceeded(limits.maxNodes);
    } else if (token === '\n' || token === '\r\n') {
      lineStart = true;
      chain = 0;
      continue;
    } else if (token === '[' || token === '{') {
      flow += 1;
      nodes += 1;
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    } else if ((token === '-' || token === '?') && flow === 0) {
      chain += 1;
    }
    if (lineStart && flow === 0) {
      const indent = /^ +$/.test(token) ? token.length : 0;
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    lineStart = false;
    if (indents.length + chain + flow > threshold) throw depthExceeded(limits.maxDepth);
  }
  for (const cst of parser.end()) tokens.push(cst);
  return tokens;
}

/** Duplicate keys are an error; checked here in linear time (the composer's own check is quadratic). */
function duplicateKey(doc: Document.Parsed): Node | null {
  let duplicate: Node | null = null;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? `s:${String(pair.key.value)}` : `o:${String(pair.key)}`;
        if (seen.has(key)) {
          duplicate = pair.key as Node;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return duplicate;
}

const coreTags = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Explicit tags beyond the core schema (`!!binary`, `!!set`, `!!omap`, `!custom`, …) are refused. */
function hasForeignTag(doc: Document.Parsed): boolean {
  let found = false;
  visit(doc, (_key, node) => {
    const tag = (node as { tag?: unknown } | null)?.tag;
    if (typeof tag === 'string' && !coreTags.has(tag)) {
      found = true;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

/** Iterative depth and node count over the CST; a CST node always maps to at least one decoded node. */
function measureCst(roots: CstNode[], limits: ImportLimits): void {
  const stack: Array<[unknown, number]> = roots.map((root) => [root.value, 0]);
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    nodes += 1;
    if (depth > limits.maxDepth) {
      throw importFailure('import_limit_exceeded', `document is nested deeper than ${limits.maxDepth} levels`, {
        kind: 'import_limit_exceeded',
        limit: 'depth',
        max: limits.maxDepth,
      });
    }
    if (nodes > limits.maxNodes) {
      throw importFailure('import_limit_exceeded', `document has more than ${limits.maxNodes} nodes`, {
        kind: 'import_limit_exceeded',
        limit: 'nodes',
        max: limits.maxNodes,
      });
    }
    const cst = node as CstNode;
    if (Array.isArray(cst.items)) {
      for (const item of cst.items) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
}
