import { z } from 'zod';

/**
 * Zod schemas for the Notion wire objects this connector sends and returns. Inputs mirror the
 * Notion REST parameters (snake_case, as in Notion's docs); responses are validated loosely
 * (known fields typed, new provider fields kept) because Notion adds fields over time.
 */

/** A Notion id: a UUID with or without dashes (also rules out path tricks like `..`). */
export const NotionIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/, 'must be a Notion id (UUID, dashes optional)');

export const CursorSchema = z.string().min(1).max(512);
export const PageSizeSchema = z.number().int().min(1).max(100);
export const IsoTimeSchema = z.string().min(1);

// ---- request building blocks ----

export const RichTextRequestSchema = z.union([
  z.looseObject({ type: z.literal('text').optional(), text: z.looseObject({ content: z.string().max(2000), link: z.looseObject({ url: z.string() }).nullable().optional() }) }),
  z.looseObject({ type: z.literal('mention').optional(), mention: z.record(z.string(), z.unknown()) }),
  z.looseObject({ type: z.literal('equation').optional(), equation: z.looseObject({ expression: z.string() }) }),
]);

/** A page property value in request form, e.g. `{ status: { name: 'Done' } }` or `{ number: 3 }`. */
export const PropertyValueRequestSchema = z.record(z.string(), z.unknown()).refine((value) => Object.keys(value).some((k) => k !== 'type' && k !== 'id'), {
  message: 'a property value names its type, e.g. { "number": 3 }',
});
export const PropertiesRequestSchema = z.record(z.string().min(1), PropertyValueRequestSchema);

/** A block in request form, e.g. `{ paragraph: { rich_text: [...] } }`. */
export const BlockRequestSchema = z
  .looseObject({ object: z.literal('block').optional(), type: z.string().min(1).optional() })
  .refine((block) => Object.keys(block).some((k) => k !== 'object' && k !== 'type'), { message: 'a block names its type, e.g. { "paragraph": { ... } }' });

export const IconRequestSchema = z.looseObject({ type: z.string().optional() }).nullable();

export const SortSchema = z.union([
  z.strictObject({ property: z.string().min(1), direction: z.enum(['ascending', 'descending']) }),
  z.strictObject({ timestamp: z.enum(['created_time', 'last_edited_time']), direction: z.enum(['ascending', 'descending']) }),
]);

export type DataSourceFilter =
  | { and: DataSourceFilter[] }
  | { or: DataSourceFilter[] }
  | { property: string; [condition: string]: unknown }
  | { timestamp: 'created_time' | 'last_edited_time'; [condition: string]: unknown };

/** Notion's data source filter: property/timestamp conditions, nested `and`/`or` (any depth). */
export const DataSourceFilterSchema: z.ZodType<DataSourceFilter> = z.lazy(() =>
  z.union([
    z.strictObject({ and: z.array(DataSourceFilterSchema).min(1).max(100) }),
    z.strictObject({ or: z.array(DataSourceFilterSchema).min(1).max(100) }),
    z.looseObject({ property: z.string().min(1) }),
    z.looseObject({ timestamp: z.enum(['created_time', 'last_edited_time']) }),
  ]),
);

// ---- response objects ----

export const PartialUserSchema = z.looseObject({ object: z.literal('user'), id: z.string() });

export const UserSchema = z.looseObject({
  object: z.literal('user'),
  id: z.string(),
  type: z.enum(['person', 'bot']).optional(),
  name: z.string().nullable().optional(),
  avatar_url: z.string().nullable().optional(),
  person: z.looseObject({ email: z.string().optional() }).optional(),
  bot: z.record(z.string(), z.unknown()).optional(),
});

export const RichTextResponseSchema = z.looseObject({ type: z.string(), plain_text: z.string(), href: z.string().nullable().optional() });

export const ParentSchema = z.looseObject({
  type: z.string(),
  data_source_id: z.string().optional(),
  database_id: z.string().optional(),
  page_id: z.string().optional(),
  block_id: z.string().optional(),
  workspace: z.boolean().optional(),
});

export const PagePropertyValueSchema = z.looseObject({ id: z.string(), type: z.string() });

export const PageSchema = z.looseObject({
  object: z.literal('page'),
  id: z.string(),
  created_time: IsoTimeSchema,
  last_edited_time: IsoTimeSchema,
  archived: z.boolean().optional(),
  in_trash: z.boolean().optional(),
  is_locked: z.boolean().optional(),
  url: z.string(),
  public_url: z.string().nullable().optional(),
  parent: ParentSchema,
  properties: z.record(z.string(), PagePropertyValueSchema),
  created_by: PartialUserSchema.optional(),
  last_edited_by: PartialUserSchema.optional(),
});

export const PropertySchemaEntrySchema = z.looseObject({ id: z.string(), name: z.string(), type: z.string() });

export const DataSourceSchema = z.looseObject({
  object: z.literal('data_source'),
  id: z.string(),
  title: z.array(RichTextResponseSchema).optional(),
  parent: ParentSchema.optional(),
  properties: z.record(z.string(), PropertySchemaEntrySchema),
  url: z.string().optional(),
});

/** What search and data source queries may return when the integration lacks full access. */
export const PartialObjectSchema = z.looseObject({ object: z.enum(['page', 'data_source']), id: z.string() });

export const SearchResultSchema = z.union([PageSchema, DataSourceSchema, PartialObjectSchema]);

export const BlockSchema = z.looseObject({
  object: z.literal('block'),
  id: z.string(),
  type: z.string(),
  has_children: z.boolean().optional(),
  parent: ParentSchema.optional(),
  created_time: IsoTimeSchema.optional(),
  last_edited_time: IsoTimeSchema.optional(),
  in_trash: z.boolean().optional(),
});

export const CommentSchema = z.looseObject({
  object: z.literal('comment'),
  id: z.string(),
  parent: ParentSchema.optional(),
  discussion_id: z.string().optional(),
  created_time: IsoTimeSchema.optional(),
  rich_text: z.array(RichTextResponseSchema).optional(),
});

export function listOf<T extends z.ZodType>(item: T) {
  return z.looseObject({
    object: z.literal('list'),
    results: z.array(item),
    next_cursor: z.string().nullable(),
    has_more: z.boolean(),
    type: z.string().optional(),
  });
}

// ---- output envelope ----

/** `sha256:<hex>` of the bearer token: identifies the credential without revealing it. */
export const AuthBindingSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/);

/** Where a late-bound schema came from (attached to outputs, events and artifacts). */
export const SchemaContextSummarySchema = z.strictObject({
  contextSource: z.enum(['data_source', 'page_parent', 'database', 'none']),
  dataSourceId: z.string().nullable(),
  propertyNames: z.array(z.string()),
  resolvedVia: z.array(z.enum(['page', 'database', 'data_source'])),
  sourcePageId: z.string().nullable(),
});
export type SchemaContextSummary = z.infer<typeof SchemaContextSummarySchema>;

/** Every operation returns `{ authBinding, data }`; `data` is the Notion response object. */
export function outputOf<T extends z.ZodType>(data: T) {
  return z.strictObject({ authBinding: AuthBindingSchema, data });
}

/** Late-bound operations also say which data source schema they resolved (or null). */
export function lateBoundOutputOf<T extends z.ZodType>(data: T) {
  return z.strictObject({ authBinding: AuthBindingSchema, data, schemaContext: SchemaContextSummarySchema.nullable() });
}
