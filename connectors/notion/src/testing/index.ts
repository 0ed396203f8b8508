export { startFakeNotion, DEFAULT_FAKE_TOKEN } from './fake-notion';
export type { FakeNotion, FakeNotionOptions, RecordedRequest, ScriptedFailure } from './fake-notion';
export { fakeIds, FAKE_WORKSPACE_NAME, SEED_TIME, propertyValue, stableUuid } from './fake-notion-data';
export type { DatabaseRecord, DataSourceRecord, PageRecord, PropertySchema } from './fake-notion-data';
