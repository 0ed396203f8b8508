import { afterAll, beforeAll } from 'vitest';
import { github } from '../../src';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../../src/testing';
import type { ConnectorDefinition } from '@integration/contracts';
import type { GitHubOptions } from '../../src';

export const TOKEN = FAKE_GITHUB_TOKEN;

/** Starts a fake GitHub for the file and builds a connector pointed at it. */
export function useFakeGitHub(fakeOptions: FakeGitHubOptions = {}, connectorOptions: GitHubOptions = {}) {
  const state = {} as { fake: FakeGitHub; connector: ConnectorDefinition };
  beforeAll(async () => {
    state.fake = await startFakeGitHub(fakeOptions);
    state.connector = github({ ...connectorOptions, baseUrl: state.fake.baseUrl });
  });
  afterAll(async () => {
    await state.fake?.close();
  });
  return state;
}
