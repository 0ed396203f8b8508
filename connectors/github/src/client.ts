import { Octokit } from '@octokit/rest';
import type { Logger } from '@integration/contracts';
import type { ResolvedGitHubOptions } from './options';

export type GitHubClient = Octokit;

export interface ClientContext {
  token: string;
  signal: AbortSignal;
  /** The handler's `ctx.logger`: the runtime redacts the call's secret values from every line. */
  logger: Logger;
}

/**
 * One octokit per attempt, authenticated only with the lease's access token. octokit sends
 * `Authorization: token <t>` (`bearer` for JWTs); every request also carries the documented
 * `Accept: application/vnd.github+json` and `X-GitHub-Api-Version` headers.
 */
export function createGitHubClient(options: ResolvedGitHubOptions, ctx: ClientContext): GitHubClient {
  const octokit = new Octokit({
    auth: ctx.token,
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    request: {
      signal: ctx.signal,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      log: octokitLog(ctx.logger),
    },
    log: octokitLog(ctx.logger),
  });
  octokit.hook.before('request', (request) => {
    request.headers.accept = 'application/vnd.github+json';
    request.headers['x-github-api-version'] = options.apiVersion;
  });
  return octokit;
}

/** octokit logs deprecations and plugin messages; route them to the run's logger, never the console. */
function octokitLog(logger: Logger) {
  return {
    debug: (message: string) => logger.debug({ source: 'octokit' }, String(message)),
    info: (message: string) => logger.debug({ source: 'octokit' }, String(message)),
    warn: (message: string) => logger.warn({ source: 'octokit' }, String(message)),
    error: (message: string) => logger.warn({ source: 'octokit' }, String(message)),
  };
}
