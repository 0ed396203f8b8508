import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventSpec, type PollResult } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createIngress, definitionFromTrigger } from '@integration/ingress';
import { notion, type RecentlyEditedSignal } from '../src/index';
import { DEFAULT_FAKE_TOKEN, fakeIds, startFakeNotion, type FakeNotion } from '../src/testing/index';
import { harnessContext, type RecordedArtifact } from './harness';

let fake: FakeNotion;
beforeAll(async () => {
  fake = await startFakeNotion();
});
afterAll(() => fake.close());

describe('recently_edited poll → ingress admission', () => {
  it('admits each new page once; the next poll from the stored cursor admits nothing', async () => {
    const connector = notion({ baseUrl: fake.baseUrl });
    const trigger = connector.triggers[0]!;
    const stores = memoryStores();
    await stores.migrate();
    const ingress = createIngress({ stores, capabilities: { fetchCapability: (id) => connector.capabilities.find((c) => c.id === id)! } });
    const definition = definitionFromTrigger(connector.id, trigger);
    const sink = { events: [] as EventSpec[], artifacts: [] as RecordedArtifact[], logs: [] as unknown[] };
    const poll = (cursor: string | null) => trigger.poll!({ config: {} as never, cursor }, harnessContext(DEFAULT_FAKE_TOKEN, sink)) as Promise<PollResult<RecentlyEditedSignal>>;

    const admitAll = async (result: PollResult<RecentlyEditedSignal>) =>
      Promise.all(
        result.signals.map((event, i) =>
          ingress.admitPoll(
            {
              tenantId: 'tenant-a',
              partitionKey: 'workspace',
              cursor: result.checkpoint.cursor,
              event,
              externalId: result.dedupeKeys[i]!,
              lastEventId: result.dedupeKeys[0]!,
              lastEventTime: result.checkpoint.lastEventTime ?? null,
            },
            definition,
          ),
        ),
      );

    const first = await poll(null);
    const admitted = await admitAll(first);
    expect(admitted.map((a) => a.status)).toEqual(first.signals.map(() => 'accepted'));
    expect(admitted[0]!.run).toMatchObject({ capabilityId: 'notion.pages.recently_edited', status: 'accepted' });

    // A host that polls again from the checkpoint cursor gets nothing new.
    const second = await poll(first.checkpoint.cursor);
    expect(second.signals).toEqual([]);
    // A host that lost its cursor re-polls from scratch: ingress dedupe (page_id:last_edited_time) absorbs it.
    const replay = await admitAll(await poll(null));
    expect(replay.map((a) => a.status)).toEqual(first.signals.map(() => 'duplicate'));

    fake.touchPage(fakeIds.taskPage1, '2026-01-14T10:00:00.000Z');
    const third = await poll(first.checkpoint.cursor);
    const next = await admitAll(third);
    expect(next.map((a) => [a.status, (a.trigger.payload as RecentlyEditedSignal).page_id])).toEqual([['accepted', fakeIds.taskPage1]]);
    await stores.close();
  });
});
