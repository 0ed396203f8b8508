import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConnectorError, IntegrationError, type EventSpec, type PollResult } from '@integration/contracts';
import { notion, RecentlyEditedSignalSchema, type RecentlyEditedSignal } from '../src/index';
import { isNewer } from '../src/recently-edited-trigger';
import { DEFAULT_FAKE_TOKEN, fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';
import { harnessContext, type RecordedArtifact } from './harness';

let fake: FakeNotion;
let connector: ReturnType<typeof notion>;

beforeEach(async () => {
  fake = await startFakeNotion();
  connector = notion({ baseUrl: fake.baseUrl });
});
afterEach(() => fake.close());

function poll(config: unknown, cursor: string | null, token: string | null = DEFAULT_FAKE_TOKEN): Promise<PollResult<RecentlyEditedSignal>> {
  const trigger = connector.triggers.find((t) => t.id === 'notion.pages.recently_edited')!;
  const sink = { events: [] as EventSpec[], artifacts: [] as RecordedArtifact[], logs: [] as unknown[] };
  return trigger.poll!({ config: config as never, cursor }, harnessContext(token, sink)) as Promise<PollResult<RecentlyEditedSignal>>;
}

describe('notion.pages.recently_edited (poll)', () => {
  it('is a poll trigger with the documented checkpoint, dedupe and consumer surface', () => {
    const trigger = connector.triggers[0]!;
    expect(trigger).toMatchObject({
      id: 'notion.pages.recently_edited',
      deliveryMode: 'poll',
      signalType: 'notion.page.recently_edited',
      signalSource: '/ingress/poll/notion/pages.recently_edited',
      polling: { defaultIntervalMs: 60_000, minIntervalMs: 5_000 },
      checkpoint: { strategy: 'timestamp_cursor', field: 'last_edited_time', partitionKey: 'workspace' },
      consumerSurface: { mode: 'common', normalizedId: 'page.recently_edited', sensorName: 'page_recently_edited' },
      scopes: ['notion.content.read'],
    });
  });

  it('first poll emits every recent page; a second poll with the returned cursor emits none', async () => {
    const first = await poll({}, null);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/search',
      body: { filter: { property: 'object', value: 'page' }, sort: { timestamp: 'last_edited_time', direction: 'descending' }, page_size: 10 },
    });
    expect(first.signals.map((s) => s.page_id)).toEqual([fakeIds.taskPage3, fakeIds.taskPage2, fakeIds.taskPage1, fakeIds.roadmapPage, fakeIds.legacyNotePage]);
    for (const signal of first.signals) expect(RecentlyEditedSignalSchema.parse(signal)).toEqual(signal);
    expect(first.signals[0]).toEqual({
      page_id: fakeIds.taskPage3,
      last_edited_time: '2026-01-12T12:00:00.000Z',
      title: 'Ship release',
      url: `https://www.notion.so/${fakeIds.taskPage3.replace(/-/g, '')}`,
    });
    expect(first.dedupeKeys).toEqual(first.signals.map((s) => `${s.page_id}:${s.last_edited_time}`));
    expect(first.checkpoint.cursor).toBe('2026-01-12T12:00:00.000Z');

    const second = await poll({}, first.checkpoint.cursor);
    expect(second.signals).toEqual([]);
    expect(second.dedupeKeys).toEqual([]);
    expect(second.checkpoint.cursor).toBe(first.checkpoint.cursor);
  });

  it('a page edited after the cursor is emitted once, with a new cursor', async () => {
    const first = await poll({ page_size: 3 }, null);
    expect(first.signals).toHaveLength(3);
    fake.touchPage(fakeIds.roadmapPage, '2026-01-13T09:30:00.000Z');
    const second = await poll({ page_size: 3 }, first.checkpoint.cursor);
    expect(second.signals.map((s) => [s.page_id, s.title])).toEqual([[fakeIds.roadmapPage, 'Roadmap']]);
    expect(second.dedupeKeys).toEqual([`${fakeIds.roadmapPage}:2026-01-13T09:30:00.000Z`]);
    expect(second.checkpoint.cursor).toBe('2026-01-13T09:30:00.000Z');
    expect((await poll({ page_size: 3 }, second.checkpoint.cursor)).signals).toEqual([]);
  });

  it('pages through search while a whole page is newer than the cursor (bounded by max_pages)', async () => {
    for (const [i, id] of [fakeIds.taskPage1, fakeIds.taskPage2, fakeIds.taskPage3, fakeIds.roadmapPage].entries()) {
      fake.touchPage(id, `2026-01-14T0${i}:00:00.000Z`);
    }
    fake.clearRequests();
    const result = await poll({ page_size: 1, max_pages: 3 }, '2026-01-13T00:00:00.000Z');
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[1]!.body).toMatchObject({ start_cursor: expect.any(String) });
    expect(result.signals.map((s) => s.last_edited_time)).toEqual(['2026-01-14T03:00:00.000Z', '2026-01-14T02:00:00.000Z', '2026-01-14T01:00:00.000Z']);
  });

  it('an empty workspace still returns a non-empty cursor', async () => {
    fake.failNext({ path: '/v1/search', status: 200, code: '', message: '', rawBody: JSON.stringify({ object: 'list', results: [], next_cursor: null, has_more: false, type: 'page_or_data_source', page_or_data_source: {} }) });
    const result = await poll({}, null);
    expect(result.signals).toEqual([]);
    expect(result.checkpoint.cursor).toBe('1970-01-01T00:00:00.000Z');
  });

  it('maps provider failures and rejects bad config', async () => {
    fake.failNext({ path: '/v1/search', status: 429, code: 'rate_limited', message: 'slow down', headers: { 'retry-after': '3' } });
    await expect(poll({}, null)).rejects.toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 3000 });
    await expect(poll({}, null, null)).rejects.toBeInstanceOf(ConnectorError);
    const bad = await poll({ page_size: 0 }, null).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(IntegrationError);
    expect((bad as IntegrationError).code).toBe('invalid_input');
  });

  it('isNewer compares instants, not strings, and is strict', () => {
    expect(isNewer('2026-01-12T12:00:00.000Z', '2026-01-12T12:00:00Z')).toBe(false);
    expect(isNewer('2026-01-12T13:00:00.000+01:00', '2026-01-12T11:59:00.000Z')).toBe(true);
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }), fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }), (a, b) => {
        expect(isNewer(a.toISOString(), b.toISOString())).toBe(a.getTime() > b.getTime());
        expect(isNewer(a.toISOString(), a.toISOString())).toBe(false);
      }),
    );
  });
});
