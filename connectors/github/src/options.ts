import { z } from 'zod';
import { parseAt } from '@integration/contracts';

export const DEFAULT_BASE_URL = 'https://api.github.com';
export const DEFAULT_API_VERSION = '2022-11-28';
export const DEFAULT_USER_AGENT = 'integration-platform-github-connector';
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export const GitHubOptionsSchema = z.strictObject({
  /** REST API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  baseUrl: z.url({ protocol: /^https?$/ }).default(DEFAULT_BASE_URL),
  userAgent: z.string().min(1).max(200).default(DEFAULT_USER_AGENT),
  /** Upper bound on one HTTP request; the run's own AbortSignal also applies. */
  requestTimeoutMs: z.int().min(1).max(600_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  /** Sent as `X-GitHub-Api-Version`. */
  apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).default(DEFAULT_API_VERSION),
  /**
   * Web root for the OAuth endpoints (`<webUrl>/login/oauth/authorize`, `/access_token`). Derived
   * from baseUrl when absent: api.github.com → https://github.com; `https://HOST/api/v3` → https://HOST.
   */
  webUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** A fetch implementation (defaults to the global one), e.g. to add a proxy dispatcher. */
  fetch: z.custom<FetchLike>((v) => typeof v === 'function', 'fetch must be a function').optional(),
});

export type GitHubOptions = z.input<typeof GitHubOptionsSchema>;
export type ResolvedGitHubOptions = z.output<typeof GitHubOptionsSchema> & { webUrl: string };

export function resolveOptions(options: GitHubOptions = {}): ResolvedGitHubOptions {
  const resolved = parseAt(GitHubOptionsSchema, options, 'github() options');
  const baseUrl = resolved.baseUrl.replace(/\/+$/, '');
  return { ...resolved, baseUrl, webUrl: (resolved.webUrl ?? webUrlFor(baseUrl)).replace(/\/+$/, '') };
}

export function webUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  if (url.hostname.startsWith('api.') && url.hostname.endsWith('.ghe.com')) return `${url.protocol}//${url.hostname.slice(4)}`;
  return url.origin;
}
