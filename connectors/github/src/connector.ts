import { defineConnector, isoAt, type ConnectorDefinition, type InstallBinding } from '@integration/contracts';
import { gitHubConformance } from './conformance';
import { GITHUB_SCOPE } from './operation';
import { resolveOptions, type GitHubOptions } from './options';
import { commentCreate } from './operations/comment-create';
import { commentUpdate } from './operations/comment-update';
import { issueClose } from './operations/issue-close';
import { issueCreate } from './operations/issue-create';
import { issueFetch } from './operations/issue-fetch';
import { issueLabel } from './operations/issue-label';
import { issueList } from './operations/issue-list';
import { issueUpdate } from './operations/issue-update';
import { issueOpenedTrigger } from './triggers/issue-opened';

export const GITHUB_CONNECTOR_ID = 'github';

/**
 * The GitHub connector: eight direct issue/comment operations over octokit and an `issues`
 * (opened) webhook trigger. `baseUrl` points it at GitHub Enterprise Server or a local fake.
 */
export function github(options: GitHubOptions = {}): ConnectorDefinition {
  const resolved = resolveOptions(options);
  return defineConnector({
    id: GITHUB_CONNECTOR_ID,
    auth: {
      type: 'oauth2',
      bindingKind: 'connection_id',
      requestedScopes: [GITHUB_SCOPE],
      leaseFields: ['access_token'],
      secretNames: ['webhook_secret'],
      oauth: {
        authorizationUrl: `${resolved.webUrl}/login/oauth/authorize`,
        tokenUrl: `${resolved.webUrl}/login/oauth/access_token`,
        scopeSeparator: ' ',
        pkce: true,
        tokenAuthMethod: 'client_secret_post',
        extraAuthorizeParams: {},
        // GitHub answers a dead refresh token with HTTP 200 {"error":"bad_refresh_token"}.
        deadGrantErrors: ['invalid_grant', 'bad_refresh_token'],
      },
      installBinding: gitHubInstallBinding,
    },
    catalog: {
      displayName: 'GitHub',
      description: 'Issues and issue comments on GitHub and GitHub Enterprise Server, through octokit.',
      category: 'developer_tools',
      tags: ['github', 'issues', 'work_items', 'comments'],
      docsRefs: ['https://docs.github.com/rest/issues/issues', 'https://docs.github.com/webhooks/webhook-events-and-payloads#issues'],
      maturity: 'beta',
      publication: 'public',
    },
    operations: [
      issueList(resolved),
      issueFetch(resolved),
      issueCreate(resolved),
      issueUpdate(resolved),
      issueLabel(resolved),
      issueClose(resolved),
      commentCreate(resolved),
      commentUpdate(resolved),
    ],
    triggers: [issueOpenedTrigger()],
    conformance: gitHubConformance(github),
    metadata: { providerSdk: '@octokit/rest', baseUrl: resolved.baseUrl, apiVersion: resolved.apiVersion, publishedSlice: 'issue_workflows' },
  });
}

/**
 * GitHub's token response: `{ access_token, token_type, scope: "repo,user" }` (comma-separated
 * scopes), plus `refresh_token`/`expires_in` for expiring GitHub App user tokens (the expiry is
 * taken from the platform clock, so auth refreshes on time). Only the access token is a lease
 * field; a refresh token stays sealed in auth.
 */
export const gitHubInstallBinding: InstallBinding = (response, context) => {
  const accessToken = response.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) throw new TypeError('GitHub token response has no access_token');
  const secret: Record<string, string> = { access_token: accessToken };
  if (typeof response.refresh_token === 'string' && response.refresh_token.length > 0) secret.refresh_token = response.refresh_token;
  const scopes = typeof response.scope === 'string' ? response.scope.split(/[,\s]+/).filter(Boolean) : undefined;
  // Expiring GitHub App user tokens: 8 h access token, refreshed through the standard refresh_token grant.
  const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : typeof response.expires_in === 'string' ? Number(response.expires_in) : NaN;
  return {
    secret,
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: isoAt(context.now + Math.round(expiresIn * 1000)) } : {}),
    ...(scopes ? { scopes } : {}),
    metadata: {
      tokenType: typeof response.token_type === 'string' ? response.token_type : 'bearer',
    },
  };
};
