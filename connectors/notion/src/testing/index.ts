export { startFakeNotion, DEFAULT_FAKE_TOKEN } from './fake-notion';
export type { FakeNotion, FakeNotionOptions, RecordedRequest, ScriptedFailure } from './fake-notion';
export { fakeIds, FAKE_WORKSPACE_NAME, stableUuid } from './fake-notion-data';
