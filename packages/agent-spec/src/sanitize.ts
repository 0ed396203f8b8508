import type { ImportLimits } from './limits';
import { importFailure, invalidDocument, pathOf } from './errors';

/**
 * Copies decoded data into fresh plain objects while enforcing the depth and node limits.
 * Only JSON data survives: null, booleans, finite numbers, strings, arrays and plain objects.
 * The key `__proto__` is rejected outright so no later assignment can touch a prototype.
 * Recursion is bounded by `maxDepth`, so hostile nesting cannot exhaust the stack.
 */
export function sanitizeDocument(value: unknown, limits: Pick<ImportLimits, 'maxDepth' | 'maxNodes'>, maxBytes?: number): unknown {
  let nodes = 0;
  // For decoded objects: string content (keys and values) counted against the byte limit.
  let bytes = 0;
  const addBytes = (text: string): void => {
    if (maxBytes === undefined) return;
    bytes += text.length;
    if (bytes > maxBytes) {
      throw importFailure('import_limit_exceeded', `document holds more than ${maxBytes} bytes of text`, {
        kind: 'import_limit_exceeded',
        limit: 'bytes',
        max: maxBytes,
      });
    }
  };
  const path: (string | number)[] = [];

  const count = (): void => {
    nodes += 1;
    if (nodes > limits.maxNodes) {
      throw importFailure('import_limit_exceeded', `document has more than ${limits.maxNodes} nodes`, {
        kind: 'import_limit_exceeded',
        limit: 'nodes',
        max: limits.maxNodes,
      });
    }
  };

  const visit = (node: unknown, depth: number): unknown => {
    if (depth > limits.maxDepth) {
      throw importFailure('import_limit_exceeded', `document is nested deeper than ${limits.maxDepth} levels`, {
        kind: 'import_limit_exceeded',
        limit: 'depth',
        max: limits.maxDepth,
        path: pathOf(path),
      });
    }
    count();
    if (typeof node === 'string') {
      addBytes(node);
      return node;
    }
    if (node === null || typeof node === 'boolean') return node;
    if (typeof node === 'number') {
      if (Number.isFinite(node)) return node;
      throw invalidDocument(`non-finite number at ${pathOf(path)}`, { kind: 'invalid_document_value', path: pathOf(path), type: 'number' });
    }
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (let i = 0; i < node.length; i += 1) {
        path.push(i);
        const item: unknown = node[i];
        out.push(visit(item === undefined ? null : item, depth + 1));
        path.pop();
      }
      return out;
    }
    if (typeof node === 'object') {
      const proto: unknown = Object.getPrototypeOf(node);
      if (proto !== Object.prototype && proto !== null) {
        throw invalidDocument(`only plain data is accepted; found an object of another kind at ${pathOf(path)}`, {
          kind: 'invalid_document_value',
          path: pathOf(path),
          type: 'object',
        });
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        const child = (node as Record<string, unknown>)[key];
        if (child === undefined) continue;
        path.push(key);
        if (key === '__proto__') {
          throw invalidDocument(`the key "__proto__" is not allowed (at ${pathOf(path)})`, { kind: 'forbidden_key', key, path: pathOf(path) });
        }
        count();
        addBytes(key);
        out[key] = visit(child, depth + 1);
        path.pop();
      }
      return out;
    }
    throw invalidDocument(`unsupported value of type ${typeof node} at ${pathOf(path)}`, {
      kind: 'invalid_document_value',
      path: pathOf(path),
      type: typeof node,
    });
  };

  return visit(value, 0);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
