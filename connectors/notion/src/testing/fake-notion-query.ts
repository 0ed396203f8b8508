import { plainText, type DataSourceRecord, type JsonObject, type PageRecord, type PropertySchema } from './fake-notion-data';

/** Thrown by the evaluator; the server turns it into a Notion `validation_error`. */
export class FakeValidationError extends Error {}

export function findProperty(source: DataSourceRecord, key: string): PropertySchema | undefined {
  return source.properties.find((p) => p.name === key || p.id === key || decodeURIComponent(p.id) === key);
}

function valueOf(page: PageRecord, schema: PropertySchema): unknown {
  const value = page.properties[schema.name];
  return value ? value[schema.type] : undefined;
}

function comparable(page: PageRecord, schema: PropertySchema): string | number | boolean | null {
  const value = valueOf(page, schema);
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return plainText(value);
    case 'select':
    case 'status':
      return value && typeof value === 'object' ? String((value as { name?: unknown }).name ?? '') : null;
    case 'date':
      return value && typeof value === 'object' ? String((value as { start?: unknown }).start ?? '') : null;
    case 'number':
    case 'checkbox':
      return (value ?? null) as number | boolean | null;
    default:
      return value === undefined || value === null ? null : JSON.stringify(value);
  }
}

function evaluateCondition(actual: unknown, condition: Record<string, unknown>): boolean {
  return Object.entries(condition).every(([op, expected]) => {
    switch (op) {
      case 'equals':
        return actual === expected;
      case 'does_not_equal':
        return actual !== expected;
      case 'contains':
        if (Array.isArray(actual)) return actual.some((o) => (o as { name?: unknown }).name === expected);
        return typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase());
      case 'does_not_contain':
        return !(typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase()));
      case 'starts_with':
        return typeof actual === 'string' && actual.startsWith(String(expected));
      case 'ends_with':
        return typeof actual === 'string' && actual.endsWith(String(expected));
      case 'is_empty':
        return actual === null || actual === '' || (Array.isArray(actual) && actual.length === 0);
      case 'is_not_empty':
        return !(actual === null || actual === '' || (Array.isArray(actual) && actual.length === 0));
      case 'greater_than':
      case 'after':
        return actual !== null && (actual as number | string) > (expected as number | string);
      case 'less_than':
      case 'before':
        return actual !== null && (actual as number | string) < (expected as number | string);
      case 'greater_than_or_equal_to':
      case 'on_or_after':
        return actual !== null && (actual as number | string) >= (expected as number | string);
      case 'less_than_or_equal_to':
      case 'on_or_before':
        return actual !== null && (actual as number | string) <= (expected as number | string);
      default:
        throw new FakeValidationError(`body failed validation: unsupported filter condition "${op}".`);
    }
  });
}

/** Evaluates a Notion data source filter (property, timestamp, nested and/or) against a page. */
export function matchesFilter(page: PageRecord, source: DataSourceRecord, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  const node = filter as Record<string, unknown>;
  if (Array.isArray(node.and)) return node.and.every((f) => matchesFilter(page, source, f));
  if (Array.isArray(node.or)) return node.or.some((f) => matchesFilter(page, source, f));
  if (typeof node.timestamp === 'string') {
    const field = node.timestamp === 'created_time' ? page.createdTime : page.lastEditedTime;
    const condition = (node[node.timestamp] ?? {}) as Record<string, unknown>;
    return evaluateCondition(field, condition);
  }
  if (typeof node.property === 'string') {
    const schema = findProperty(source, node.property);
    if (!schema) throw new FakeValidationError(`Could not find property with name or id: ${node.property}`);
    const [typeKey] = Object.keys(node).filter((k) => k !== 'property' && k !== 'type');
    if (!typeKey) throw new FakeValidationError('body failed validation: filter condition is missing.');
    let actual: unknown = comparable(page, schema);
    if (schema.type === 'multi_select') actual = valueOf(page, schema);
    return evaluateCondition(actual, (node[typeKey] ?? {}) as Record<string, unknown>);
  }
  throw new FakeValidationError('body failed validation: filter should be a property, timestamp or compound filter.');
}

/** Sorts pages by Notion `sorts` (property or timestamp, ascending/descending); stable. */
export function sortPages(pages: PageRecord[], source: DataSourceRecord, sorts: unknown): PageRecord[] {
  if (!Array.isArray(sorts) || sorts.length === 0) return pages;
  const keys = sorts.map((raw) => {
    const sort = raw as Record<string, unknown>;
    const direction = sort.direction === 'descending' ? -1 : 1;
    if (typeof sort.property === 'string') {
      const schema = findProperty(source, sort.property);
      if (!schema) throw new FakeValidationError(`Could not find sort property with name or id: ${sort.property}`);
      return { direction, read: (p: PageRecord) => comparable(p, schema) };
    }
    const field = sort.timestamp === 'created_time' ? 'createdTime' : 'lastEditedTime';
    return { direction, read: (p: PageRecord) => p[field] as string | number | boolean | null };
  });
  return [...pages].sort((a, b) => {
    for (const key of keys) {
      const x = key.read(a);
      const y = key.read(b);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * key.direction;
    }
    return 0;
  });
}

/** Notion cursor pagination: `next_cursor` is the id of the first item of the next page. */
export function paginate<T extends { id: string }>(items: T[], body: JsonObject | Record<string, unknown>): { page: T[]; nextCursor: string | null } {
  const size = Math.min(Math.max(Number(body.page_size ?? 100) || 100, 1), 100);
  const cursor = typeof body.start_cursor === 'string' ? body.start_cursor : null;
  let start = 0;
  if (cursor !== null) {
    start = items.findIndex((item) => item.id === cursor);
    if (start < 0) throw new FakeValidationError(`body failed validation: start_cursor should be a valid cursor, instead was \`"${cursor}"\`.`);
  }
  const page = items.slice(start, start + size);
  const next = items[start + size];
  return { page, nextCursor: next ? next.id : null };
}
