import { z } from 'zod';
import { defineTrigger, parseAt, type HandlerContext } from '@integration/contracts';
import { leaseToken, notionClient } from './client';
import { mapNotionError } from './error-mapper';
import type { ResolvedNotionOptions } from './options';
import { expectShape } from './response';
import { listOf, PageSchema, PartialObjectSchema } from './schemas';
import { scopes } from './scopes';

export const RecentlyEditedConfigSchema = z.strictObject({
  page_size: z.number().int().min(1).max(100).default(10),
  /** How many search pages one poll may read while results are still newer than the cursor. */
  max_pages: z.number().int().min(1).max(10).default(3),
});

export const RecentlyEditedSignalSchema = z.strictObject({
  page_id: z.string().min(1),
  last_edited_time: z.string().min(1),
  title: z.string(),
  url: z.string(),
});
export type RecentlyEditedSignal = z.infer<typeof RecentlyEditedSignalSchema>;

const SearchPageListSchema = listOf(z.union([PageSchema, PartialObjectSchema]));
type SearchPage = z.infer<typeof PageSchema>;

/** ISO timestamps compare as instants; anything unparsable falls back to string order. */
export function isNewer(candidate: string, cursor: string | null): boolean {
  if (cursor === null) return true;
  const a = Date.parse(candidate);
  const b = Date.parse(cursor);
  if (!Number.isNaN(a) && !Number.isNaN(b)) return a > b;
  return candidate > cursor;
}

export function titleOf(page: SearchPage): string {
  const title = Object.values(page.properties).find((value) => value.type === 'title') as { title?: unknown } | undefined;
  return Array.isArray(title?.title) ? title.title.map((item) => String((item as { plain_text?: unknown }).plain_text ?? '')).join('') : '';
}

/**
 * Polls search (pages, newest edit first) and keeps pages strictly newer than the cursor. The next
 * cursor is the newest `last_edited_time` seen (or the old cursor); dedupe key
 * `page_id:last_edited_time`. Notion rounds `last_edited_time` to the minute, so an edit in the
 * cursor's own minute is seen only once that page is edited again; ingress dedupe covers repeats.
 */
export async function pollRecentlyEdited(
  options: ResolvedNotionOptions,
  input: { config: z.output<typeof RecentlyEditedConfigSchema>; cursor: string | null },
  ctx: HandlerContext,
) {
  try {
    const token = leaseToken(ctx);
    const client = notionClient(options, token, ctx);
    const fresh: SearchPage[] = [];
    let startCursor: string | undefined;
    for (let pageNo = 0; pageNo < input.config.max_pages; pageNo += 1) {
      const list = expectShape(
        SearchPageListSchema,
        await client.search({
          filter: { property: 'object', value: 'page' },
          sort: { timestamp: 'last_edited_time', direction: 'descending' },
          page_size: input.config.page_size,
          ...(startCursor ? { start_cursor: startCursor } : {}),
        }),
        'search result',
      );
      const pages = list.results.filter((r): r is SearchPage => 'last_edited_time' in r && 'properties' in r);
      const newer = pages.filter((page) => isNewer(page.last_edited_time, input.cursor));
      fresh.push(...newer);
      // Keep paging only while a whole page was newer than the cursor (first poll: one page).
      const exhausted = input.cursor === null || newer.length < pages.length || !list.has_more || !list.next_cursor;
      if (exhausted) break;
      startCursor = list.next_cursor!;
    }
    const seen = new Set<string>();
    const unique = fresh.filter((page) => (seen.has(page.id) ? false : (seen.add(page.id), true)));
    const signals: RecentlyEditedSignal[] = unique.map((page) => ({ page_id: page.id, last_edited_time: page.last_edited_time, title: titleOf(page), url: page.url }));
    const newest = signals.reduce<string | null>((max, s) => (max === null || isNewer(s.last_edited_time, max) ? s.last_edited_time : max), input.cursor);
    return {
      signals,
      dedupeKeys: signals.map((s) => `${s.page_id}:${s.last_edited_time}`),
      checkpoint: {
        cursor: newest ?? new Date(0).toISOString(),
        lastEventTime: signals.length > 0 ? newest : null,
        lastEventId: signals[0]?.page_id ?? null,
      },
    };
  } catch (raw) {
    throw mapNotionError(raw, { signal: ctx.signal, now: ctx.clock?.now() });
  }
}

export function pagesRecentlyEdited(options: ResolvedNotionOptions) {
  return defineTrigger({
    id: 'notion.pages.recently_edited',
    name: 'pages.recently_edited',
    displayName: 'Page recently edited',
    description: 'Polls Notion search for pages edited since the last checkpoint and emits one signal per edited page.',
    deliveryMode: 'poll',
    config: RecentlyEditedConfigSchema,
    signal: RecentlyEditedSignalSchema,
    signalType: 'notion.page.recently_edited',
    signalSource: '/ingress/poll/notion/pages.recently_edited',
    scopes: [scopes.contentRead],
    polling: { defaultIntervalMs: 60_000, minIntervalMs: 5_000, jitter: false },
    poll: async (input, ctx) =>
      pollRecentlyEdited(
        options,
        { config: parseAt(RecentlyEditedConfigSchema, input?.config ?? {}, 'notion.pages.recently_edited config', 'invalid_input'), cursor: input?.cursor ?? null },
        ctx,
      ),
    checkpoint: { strategy: 'timestamp_cursor', field: 'last_edited_time', partitionKey: 'workspace' },
    dedupe: { strategy: 'page_id_last_edited_time', description: 'page_id:last_edited_time' },
    consumerSurface: { mode: 'common', normalizedId: 'page.recently_edited', sensorName: 'page_recently_edited' },
    metadata: { sdk: 'search', http: 'POST /v1/search', jidoSensorName: 'notion_page_recently_edited_sensor' },
  });
}
