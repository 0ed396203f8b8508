import type { ConformanceSpec, ConnectorDefinition } from '@integration/contracts';
import type { GitHubOptions } from './options';
import { CONFORMANCE_SANDBOX_REPO, CONFORMANCE_SUBJECT, CONFORMANCE_TOKEN, gitHubConformanceFixtures } from './conformance-fixtures';

/** The connector's conformance spec: fixtures plus a setup that starts the local fake GitHub. */
export function gitHubConformance(factory: (options: GitHubOptions) => ConnectorDefinition): ConformanceSpec {
  return {
    fixtures: gitHubConformanceFixtures,
    setup: async () => {
      const { startFakeGitHub, defaultFakeRepos } = await import('./testing/fake-github');
      const fake = await startFakeGitHub({
        tokens: { [CONFORMANCE_TOKEN]: CONFORMANCE_SUBJECT },
        // The redaction suite may lease canary tokens; they authenticate as the same user.
        acceptAnyToken: true,
        defaultLogin: CONFORMANCE_SUBJECT,
        repos: [...defaultFakeRepos(), CONFORMANCE_SANDBOX_REPO],
      });
      return { connector: factory({ baseUrl: fake.baseUrl }), teardown: () => fake.close() };
    },
  };
}
