export {
  startFakeGitHub,
  defaultFakeRepos,
  FAKE_GITHUB_TOKEN,
  FAKE_GITHUB_LOGIN,
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakeIssueSeed,
  type FakeLabelSeed,
  type FakeMatcher,
  type FakeOAuthApp,
  type FakeRepoSeed,
  type FakeResponse,
  type RecordedRequest,
} from './fake-github';
export { issueOpenedPayload, signGitHubPayload } from './webhook-payloads';
