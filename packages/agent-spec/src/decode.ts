import { Composer, Parser, type Document } from 'yaml';
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
  const data = format === 'json' ? parseJson(text) : parseYaml(text, options);
  return sanitizeDocument(data, limits);
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
 * YAML is parsed in two stages so hostile nesting is measured before any recursive step runs:
 * the `yaml` package's CST parser is iterative, and its depth and size are checked here with an
 * explicit stack; only then is the CST composed (core schema, no custom tags, unique keys).
 */
function parseYaml(text: string, options: DecodeOptions): unknown {
  const { limits } = options;
  const tokens = [...new Parser().parse(text)];
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
    uniqueKeys: true,
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
  const tagWarning = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (tagWarning) {
    const [start] = tagWarning.linePos ?? [];
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
