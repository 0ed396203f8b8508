import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notion } from '../src/index';
import { DEFAULT_FAKE_TOKEN, fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';
import { runCapability } from './harness';

let fake: FakeNotion;
beforeAll(async () => {
  fake = await startFakeNotion();
});
afterAll(() => fake.close());

const get = (path: string, headers: Record<string, string>) => fetch(`${fake.baseUrl}${path}`, { headers });

describe('fake Notion API wire format', () => {
  it('requires Notion-Version and a known bearer token, answering with Notion error objects', async () => {
    const noVersion = await get('/v1/users/me', { authorization: `Bearer ${DEFAULT_FAKE_TOKEN}` });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ object: 'error', status: 400, code: 'missing_version' });
    const noAuth = await get('/v1/users/me', { 'notion-version': '2025-09-03' });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' });
    const ok = await get(`/v1/pages/${fakeIds.taskPage1}`, { authorization: `Bearer ${DEFAULT_FAKE_TOKEN}`, 'notion-version': '2025-09-03' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      object: 'page',
      id: fakeIds.taskPage1,
      parent: { type: 'data_source_id', data_source_id: fakeIds.tasksDataSource, database_id: fakeIds.tasksDatabase },
      properties: { Name: { id: 'title', type: 'title', title: [{ plain_text: 'Write launch post' }] } },
    });
  });

  it('data source endpoints need the 2025-09-03 API version: an older notionVersion fails cleanly', async () => {
    const old = notion({ baseUrl: fake.baseUrl, notionVersion: '2022-06-28' });
    const run = await runCapability(old, 'notion.data_sources.query', { data_source_id: fakeIds.tasksDataSource }, { token: DEFAULT_FAKE_TOKEN });
    expect(run.error).toMatchObject({ errorClass: 'invalid_request', details: { providerCode: 'notion.invalid_request_url' } });
    expect(fake.requests.at(-1)!.headers['notion-version']).toBe('2022-06-28');
  });

  it('the connector sends a custom fetch every request, with the attempt signal attached', async () => {
    const seen: Array<{ url: string; hasSignal: boolean }> = [];
    const connector = notion({
      baseUrl: fake.baseUrl,
      fetch: (url, init) => {
        seen.push({ url, hasSignal: init?.signal instanceof AbortSignal });
        return fetch(url, init);
      },
    });
    const run = await runCapability(connector, 'notion.pages.retrieve', { page_id: fakeIds.taskPage1 }, { token: DEFAULT_FAKE_TOKEN });
    expect(run.status).toBe('completed');
    expect(seen).toEqual([
      { url: `${fake.baseUrl}/v1/pages/${fakeIds.taskPage1}`, hasSignal: true },
      { url: `${fake.baseUrl}/v1/data_sources/${fakeIds.tasksDataSource}`, hasSignal: true },
    ]);
  });
});
