import { z } from 'zod';
import { parseAt } from '@integration/contracts';

/** The `fetch` the Notion SDK calls; Node's global fetch satisfies it. */
export type NotionFetch = (url: string, init?: RequestInit) => Promise<Response>;

export const DEFAULT_NOTION_BASE_URL = 'https://api.notion.com';
/** The API version this connector is written against (data sources: `dataSources.query/retrieve`). */
export const DEFAULT_NOTION_VERSION = '2025-09-03';

export const NotionOptionsSchema = z.strictObject({
  /** API origin, e.g. a local fake server: `http://127.0.0.1:4010` (no `/v1`). */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .default(DEFAULT_NOTION_BASE_URL)
    .transform((url) => url.replace(/\/+$/, '')),
  notionVersion: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'notionVersion must look like 2025-09-03')
    .default(DEFAULT_NOTION_VERSION),
  fetch: z.custom<NotionFetch>((value) => typeof value === 'function', 'fetch must be a function').optional(),
  /** Upper bound on one HTTP request (the capability timeout still applies on top). */
  timeoutMs: z.number().int().positive().max(300_000).default(30_000),
});

export type NotionOptions = z.input<typeof NotionOptionsSchema>;
export type ResolvedNotionOptions = z.output<typeof NotionOptionsSchema>;

export function resolveOptions(options: NotionOptions | undefined): ResolvedNotionOptions {
  return parseAt(NotionOptionsSchema, options ?? {}, 'notion() options', 'invalid_argument');
}
