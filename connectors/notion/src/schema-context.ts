import type { Client } from '@notionhq/client';
import type { SchemaContextSummary } from './schemas';

/** One property of a data source schema, as Notion describes it. */
export interface PropertyDescriptor {
  id: string;
  name: string;
  type: string;
}

/**
 * The property schema a late-bound operation validates against, resolved fresh for each call
 * (no cache: a schema can change between calls).
 */
export interface SchemaContext {
  contextSource: SchemaContextSummary['contextSource'];
  dataSourceId: string | null;
  properties: PropertyDescriptor[];
  resolvedVia: SchemaContextSummary['resolvedVia'];
  sourcePageId: string | null;
  /** Why no data source schema could be resolved (e.g. a database with several data sources). */
  unresolvedReason?: string;
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

export function summarize(context: SchemaContext | null): SchemaContextSummary | null {
  if (!context) return null;
  return {
    contextSource: context.contextSource,
    dataSourceId: context.dataSourceId,
    propertyNames: context.properties.map((p) => p.name).sort(),
    resolvedVia: [...context.resolvedVia],
    sourcePageId: context.sourcePageId,
  };
}

export function propertiesOf(dataSource: unknown): PropertyDescriptor[] {
  const properties = isObj(dataSource) && isObj(dataSource.properties) ? dataSource.properties : {};
  return Object.entries(properties).map(([name, raw]) => {
    const entry = isObj(raw) ? raw : {};
    return { id: String(entry.id ?? name), name: typeof entry.name === 'string' ? entry.name : name, type: String(entry.type ?? 'unknown') };
  });
}

export async function fromDataSource(client: Client, dataSourceId: string, via: SchemaContext['resolvedVia'] = [], sourcePageId: string | null = null): Promise<SchemaContext> {
  const dataSource = await client.dataSources.retrieve({ data_source_id: dataSourceId });
  return {
    contextSource: via.length === 0 ? 'data_source' : via[0] === 'page' ? 'page_parent' : 'database',
    dataSourceId: dataSource.id,
    properties: propertiesOf(dataSource),
    resolvedVia: [...via, 'data_source'],
    sourcePageId,
  };
}

/** A legacy database parent resolves only when the database has exactly one data source. */
export async function fromDatabase(client: Client, databaseId: string, via: SchemaContext['resolvedVia'] = [], sourcePageId: string | null = null): Promise<SchemaContext> {
  const database = (await client.databases.retrieve({ database_id: databaseId })) as unknown as Obj;
  const sources = Array.isArray(database.data_sources) ? database.data_sources.filter(isObj) : [];
  if (sources.length !== 1 || typeof sources[0]!.id !== 'string') {
    return {
      contextSource: 'none',
      dataSourceId: null,
      properties: [],
      resolvedVia: [...via, 'database'],
      sourcePageId,
      unresolvedReason: `database ${databaseId} has ${sources.length} data sources; address one by data_source_id`,
    };
  }
  return fromDataSource(client, sources[0]!.id, [...via, 'database'], sourcePageId);
}

/** Resolves a page's schema through its parent: data source, legacy database, or none. */
export async function fromPageParent(client: Client, page: unknown): Promise<SchemaContext | null> {
  if (!isObj(page) || !isObj(page.parent)) return null;
  const pageId = typeof page.id === 'string' ? page.id : null;
  const parent = page.parent;
  if (parent.type === 'data_source_id' && typeof parent.data_source_id === 'string') return fromDataSource(client, parent.data_source_id, ['page'], pageId);
  if (parent.type === 'database_id' && typeof parent.database_id === 'string') return fromDatabase(client, parent.database_id, ['page'], pageId);
  return null;
}
