import { Client, LogLevel } from '@notionhq/client';
import { ConnectorError, type HandlerContext } from '@integration/contracts';
import type { ResolvedNotionOptions } from './options';

const REQUEST_ABORT_GRACE_MS = 250;

/** The lease field holding the Notion bearer token (OAuth access token or internal integration secret). */
export const TOKEN_FIELD = 'access_token';

/** Reads the bearer token from the lease; the only place a Notion secret is read. */
export function leaseToken(ctx: Pick<HandlerContext, 'lease'>): string {
  const token = ctx.lease?.payload?.[TOKEN_FIELD];
  if (typeof token !== 'string' || token.length === 0) {
    throw new ConnectorError({
      class: 'auth_failed',
      message: `the lease carries no ${TOKEN_FIELD}; install a Notion connection first`,
      providerCode: 'notion.auth_missing',
    });
  }
  return token;
}

/**
 * Builds a Notion SDK client for one attempt: the token comes from the lease only, SDK retries are
 * off (dispatch owns retries), and every request is bound to the attempt's AbortSignal.
 */
export function notionClient(options: ResolvedNotionOptions, token: string, ctx: Pick<HandlerContext, 'signal' | 'logger'>): Client {
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  return new Client({
    auth: token,
    baseUrl: options.baseUrl,
    notionVersion: options.notionVersion,
    timeoutMs: options.timeoutMs,
    retry: false,
    logLevel: LogLevel.WARN,
    // ctx.logger is the runtime's: it redacts the call's secret values from every line.
    logger: (level, message, extraInfo) => {
      const line = { level, message, ...extraInfo };
      if (level === LogLevel.ERROR) ctx.logger.error(line, 'notion sdk');
      else ctx.logger.debug(line, 'notion sdk');
    },
    fetch: (url, init) => {
      const { agent: _agent, ...rest } = init ?? {};
      // The SDK's own timer rejects at timeoutMs but leaves the request running; this signal
      // ends it shortly after, and at once when the attempt is cancelled or times out.
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(options.timeoutMs + REQUEST_ABORT_GRACE_MS)]);
      return baseFetch(url, { ...(rest as RequestInit), signal });
    },
  });
}
