import { ConnectorError } from '@integration/contracts';
import { summarize, type PropertyDescriptor, type SchemaContext } from './schema-context';

export type PreflightIssueKind = 'unknown_property' | 'property_type_mismatch' | 'unknown_filter_property' | 'unknown_sort_property' | 'unresolved_schema';

/** One reason the request was refused before any write or query call. */
export interface PreflightIssue {
  kind: PreflightIssueKind;
  /** Dotted path into the operation input, e.g. `filter.and.1.or.0.property`. */
  path: string;
  property: string | null;
  source: 'data_source' | 'page_parent' | 'database';
  message: string;
}

/** Page property value types a request can name (the key that carries the value). */
const valueTypes = new Set([
  'title', 'rich_text', 'number', 'select', 'multi_select', 'status', 'date', 'people', 'files', 'checkbox', 'url', 'email',
  'phone_number', 'relation', 'formula', 'rollup', 'created_time', 'created_by', 'last_edited_time', 'last_edited_by', 'unique_id',
  'verification', 'button', 'place', 'location',
]);

function lookup(context: SchemaContext, key: string): PropertyDescriptor | undefined {
  return context.properties.find((p) => p.name === key || p.id === key || safeDecode(p.id) === key);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sourceOf(context: SchemaContext): PreflightIssue['source'] {
  return context.contextSource === 'page_parent' ? 'page_parent' : context.contextSource === 'database' ? 'database' : 'data_source';
}

/** Property keys of a page write must exist in the data source and carry a value of its type. */
export function checkProperties(properties: Record<string, unknown> | undefined, context: SchemaContext, base = 'properties'): PreflightIssue[] {
  if (!properties) return [];
  const issues: PreflightIssue[] = [];
  for (const [key, value] of Object.entries(properties)) {
    const schema = lookup(context, key);
    const path = `${base}.${key}`;
    if (!schema) {
      issues.push({ kind: 'unknown_property', path, property: key, source: sourceOf(context), message: `property "${key}" does not exist in the target data source` });
      continue;
    }
    const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    const named = typeof record.type === 'string' ? [record.type] : Object.keys(record).filter((k) => valueTypes.has(k));
    const wrong = named.find((t) => t !== schema.type);
    if (wrong) {
      issues.push({
        kind: 'property_type_mismatch',
        path,
        property: key,
        source: sourceOf(context),
        message: `property "${key}" is of type ${schema.type}, but the value is a ${wrong}`,
      });
    }
  }
  return issues;
}

/** A page whose parent is another page has exactly one property: `title`. */
export function checkPageParentProperties(properties: Record<string, unknown> | undefined): PreflightIssue[] {
  return Object.keys(properties ?? {})
    .filter((key) => key !== 'title')
    .map((key) => ({
      kind: 'unknown_property' as const,
      path: `properties.${key}`,
      property: key,
      source: 'page_parent' as const,
      message: `a page under a page only has the "title" property, not "${key}"`,
    }));
}

/** Every `property` in a filter (recursing through `and`/`or`) must exist in the data source. */
export function checkFilter(filter: unknown, context: SchemaContext, path = 'filter'): PreflightIssue[] {
  if (typeof filter !== 'object' || filter === null) return [];
  const node = filter as Record<string, unknown>;
  const issues: PreflightIssue[] = [];
  for (const combinator of ['and', 'or'] as const) {
    const children = node[combinator];
    if (Array.isArray(children)) children.forEach((child, i) => issues.push(...checkFilter(child, context, `${path}.${combinator}.${i}`)));
  }
  if (typeof node.property === 'string' && !lookup(context, node.property)) {
    issues.push({
      kind: 'unknown_filter_property',
      path: `${path}.property`,
      property: node.property,
      source: sourceOf(context),
      message: `filter property "${node.property}" does not exist in the data source`,
    });
  }
  return issues;
}

/** Every property sort must name an existing property; timestamp sorts need no schema. */
export function checkSorts(sorts: unknown, context: SchemaContext): PreflightIssue[] {
  if (!Array.isArray(sorts)) return [];
  return sorts.flatMap((sort, i) => {
    const property = (sort as { property?: unknown })?.property;
    if (typeof property !== 'string' || lookup(context, property)) return [];
    return [
      {
        kind: 'unknown_sort_property' as const,
        path: `sorts.${i}.property`,
        property,
        source: sourceOf(context),
        message: `sort property "${property}" does not exist in the data source`,
      },
    ];
  });
}

/** The typed refusal: class invalid_request, `notion.preflight_validation`, no provider call made. */
export function preflightError(issues: PreflightIssue[], context: SchemaContext | null): ConnectorError {
  const listed = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ConnectorError({
    class: 'invalid_request',
    message: `Notion preflight validation failed (${issues.length} issue${issues.length === 1 ? '' : 's'}): ${listed}`,
    providerCode: 'notion.preflight_validation',
    retryable: false,
    upstream: { phase: 'preflight', providerCode: 'preflight_validation', issues, schemaContext: summarize(context) },
  });
}

export function assertNoIssues(issues: PreflightIssue[], context: SchemaContext | null): void {
  if (issues.length > 0) throw preflightError(issues, context);
}
