import type { z } from 'zod';
import {
  ConnectorError,
  checksumOf,
  issuesOf,
  KnownSecrets,
  secretValuesOf,
  type HandlerContext,
} from '@integration/contracts';
import { createGitHubClient, type GitHubClient } from './client';
import { mapGitHubError } from './error-mapper';
import type { ResolvedGitHubOptions } from './options';

/** What an octokit call resolves to (the parts the connector reads). */
export interface GitHubResponse<T = unknown> {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: T;
}

/** The HTTP request an operation makes, recorded in its `tool_output` artifact. */
export interface RequestDescription {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: Record<string, string | number>;
  body?: Record<string, unknown>;
}

export interface ProjectionMeta {
  actor: string;
  authBinding: string;
}

/** One GitHub operation: how to call it and how to project the response into its output. */
export interface GitHubCall<I, O> {
  operationId: string;
  /** `issue_create`: the artifact slug (`issue_create_error` on failure). */
  slug: string;
  /** `connector.github.issue.created`; failures emit `connector.github.issue.create.failed`. */
  eventType: string;
  input: z.ZodType<I>;
  describe(input: I): RequestDescription;
  call(client: GitHubClient, input: I): Promise<GitHubResponse>;
  project(response: GitHubResponse, input: I, meta: ProjectionMeta): O;
  /** Small, secret-free facts for the event payload (numbers, states, counts). */
  summarize(output: O): Record<string, unknown>;
}

const keptResponseHeaders = ['x-github-request-id', 'link', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-resource'];

/**
 * Runs one GitHub operation inside a direct handler: pre-validates input (no HTTP request for
 * malformed input), builds octokit from the lease's `access_token` only, and records exactly one
 * `connector.github.*` event and one `tool_output` artifact, success or failure. Throws a
 * ConnectorError on failure. The output is the projection of GitHub's response, exactly; the
 * runtime redacts the lease's secret values from the event, the artifact, log lines and the error.
 */
export async function runGitHubCall<I, O>(call: GitHubCall<I, O>, rawInput: unknown, ctx: HandlerContext, options: ResolvedGitHubOptions): Promise<O> {
  const secrets = KnownSecrets.of(secretValuesOf(ctx.lease.payload));
  const token = ctx.lease.payload.access_token;
  const authBinding = token ? checksumOf(token) : null;
  const failedEventType = `connector.github.${call.operationId.slice('github.'.length)}.failed`;

  const fail = async (error: ConnectorError, request: RequestDescription | null): Promise<never> => {
    const payload = {
      operationId: call.operationId,
      class: error.errorClass,
      providerCode: (error.details.providerCode as string | undefined) ?? null,
      httpStatus: error.upstream.httpStatus ?? null,
      requestId: error.upstream.providerRequestId ?? null,
      retryable: error.retryable,
      authBinding,
    };
    ctx.emit({ type: failedEventType, stream: 'control', level: 'warn', payload });
    try {
      await ctx.artifact({
        type: 'tool_output',
        slug: `${call.slug}_error`,
        content: { operationId: call.operationId, authBinding, request, error: { code: error.code, message: error.message, details: error.details } },
        metadata: { operationId: call.operationId, outcome: 'failed' },
      });
    } catch (artifactError) {
      ctx.logger.warn({ operationId: call.operationId, err: String(artifactError) }, 'github: could not record the error artifact');
    }
    throw error;
  };

  const parsed = call.input.safeParse(rawInput);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    const repoIssue = issues.some((issue) => issue.path === 'repo');
    return fail(
      new ConnectorError({
        class: 'invalid_request',
        message: `invalid input for ${call.operationId}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        providerCode: repoIssue ? 'github.invalid_repo' : 'github.invalid_input',
        upstream: { providerCode: repoIssue ? 'github.invalid_repo' : 'github.invalid_input', issues },
      }),
      null,
    );
  }
  const input = parsed.data;
  const request = call.describe(input);
  if (!token || !authBinding) {
    return fail(
      new ConnectorError({
        class: 'auth_failed',
        message: 'the lease carries no access_token; GitHub operations need an OAuth or personal access token',
        providerCode: 'github.auth_missing',
        upstream: { providerCode: 'github.auth_missing' },
      }),
      request,
    );
  }

  const requestSignal = AbortSignal.timeout(options.requestTimeoutMs);
  const signal = AbortSignal.any([ctx.signal, requestSignal]);
  let response: GitHubResponse;
  let output: O;
  try {
    if (signal.aborted) throw signal.reason;
    const client = createGitHubClient(options, { token, signal, logger: ctx.logger });
    response = await call.call(client, input);
  } catch (error) {
    return fail(mapGitHubError(error, { secrets, now: ctx.clock.now(), runSignal: ctx.signal, requestSignal }), request);
  }
  try {
    // Exactly what GitHub said, projected: the caller's output is never rewritten.
    output = call.project(response, input, { actor: ctx.lease.subject, authBinding });
  } catch (error) {
    return fail(
      new ConnectorError({
        class: 'internal',
        message: `GitHub ${request.method} ${request.path} returned a response the connector could not read`,
        providerCode: 'github.unexpected_response',
        upstream: {
          httpStatus: response.status,
          providerCode: 'github.unexpected_response',
          issues: error && typeof error === 'object' && 'issues' in error ? issuesOf(error as z.ZodError) : [],
        },
      }),
      request,
    );
  }

  const headers = lowerCase(response.headers);
  const requestId = headers['x-github-request-id'] ?? null;
  ctx.emit({
    type: call.eventType,
    stream: 'control',
    level: 'info',
    payload: { operationId: call.operationId, ...call.summarize(output), httpStatus: response.status, requestId, authBinding },
  });
  await ctx.artifact({
    type: 'tool_output',
    slug: call.slug,
    content: {
      operationId: call.operationId,
      authBinding,
      request,
      response: {
        status: response.status,
        headers: Object.fromEntries(keptResponseHeaders.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]])),
        data: response.data ?? null,
      },
    },
    metadata: { operationId: call.operationId, outcome: 'completed' },
  });
  return output;
}

function lowerCase(headers: Record<string, string | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) if (value !== undefined) out[key.toLowerCase()] = String(value);
  return out;
}
