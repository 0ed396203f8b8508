import type { Client } from '@notionhq/client';
import { checksumOf, ConnectorError, type HandlerContext } from '@integration/contracts';
import { leaseToken, notionClient } from './client';
import { mapNotionError } from './error-mapper';
import type { ResolvedNotionOptions } from './options';
import type { SchemaContextSummary } from './schemas';

/** What one operation call produced: the Notion response, the request it sent, the schema context. */
export interface CallResult<D> {
  data: D;
  /** The SDK arguments sent (kept in the review artifact). */
  request: Record<string, unknown>;
  schemaContext?: SchemaContextSummary | null;
}

export interface OperationRun<I, D> {
  capabilityId: string;
  input: I;
  ctx: HandlerContext;
  options: ResolvedNotionOptions;
  call: (client: Client, input: I, ctx: HandlerContext) => Promise<CallResult<D>>;
  /** Small, secret-free facts for the event payload (ids, counts). */
  summarize?: (data: D) => Record<string, unknown>;
}

export type StaticOutput<D> = { authBinding: string; data: D };
export type LateBoundOutput<D> = { authBinding: string; data: D; schemaContext: SchemaContextSummary | null };

/** `notion.pages.create` → `pages.create`. */
export const suffixOf = (capabilityId: string) => capabilityId.replace(/^notion\./, '');

const unboundAuth = 'sha256:' + '0'.repeat(64);

/**
 * Runs one Notion operation: builds the SDK client from the lease, makes the call, and records one
 * `connector.notion.<suffix>.completed|failed` event and one `tool_output` artifact. Outputs,
 * events and artifacts carry `authBinding`, never the token; the output is Notion's response
 * exactly, and the runtime redacts the lease's secret values from the event, artifact, logs and error.
 */
export function runOperation<I, D>(run: OperationRun<I, D>, lateBound: true): Promise<LateBoundOutput<D>>;
export function runOperation<I, D>(run: OperationRun<I, D>, lateBound: false): Promise<StaticOutput<D>>;
export async function runOperation<I, D>(run: OperationRun<I, D>, lateBound: boolean): Promise<StaticOutput<D> | LateBoundOutput<D>> {
  const { ctx, capabilityId } = run;
  const suffix = suffixOf(capabilityId);
  const slug = suffix.replace(/\./g, '_');
  let token: string | null = null;
  let authBinding = unboundAuth;
  let result: CallResult<D>;
  try {
    token = leaseToken(ctx);
    authBinding = checksumOf(token);
    result = await run.call(notionClient(run.options, token, ctx), run.input, ctx);
  } catch (raw) {
    const error = mapNotionError(raw, { signal: ctx.signal, now: ctx.clock?.now() });
    await recordFailure(ctx, { capabilityId, suffix, slug, authBinding, request: { input: run.input }, error });
    throw error;
  }
  // Recording happens outside the provider try: an event or artifact store failure surfaces as
  // itself instead of being reported as a Notion failure.
  const schemaContext = result.schemaContext ?? null;
  const late = lateBound ? { schemaContext } : {};
  ctx.emit({
    type: `connector.notion.${suffix}.completed`,
    stream: 'control',
    level: 'info',
    payload: { capabilityId, authBinding, ...(run.summarize?.(result.data) ?? {}), ...late },
  });
  await ctx.artifact({
    type: 'tool_output',
    slug,
    content: { capabilityId, authBinding, request: result.request, response: result.data, ...late },
    metadata: { capabilityId, authBinding, ...late },
  });
  return lateBound ? { authBinding, data: result.data, schemaContext } : { authBinding, data: result.data };
}

async function recordFailure(
  ctx: HandlerContext,
  failure: { capabilityId: string; suffix: string; slug: string; authBinding: string; request: Record<string, unknown>; error: ConnectorError },
): Promise<void> {
  const { error } = failure;
  const summary = {
    code: error.code,
    class: error.errorClass,
    providerCode: (error.details.providerCode as string | undefined) ?? null,
    httpStatus: error.upstream.httpStatus ?? null,
    retryable: error.retryable,
    message: error.message,
  };
  ctx.emit({
    type: `connector.notion.${failure.suffix}.failed`,
    stream: 'control',
    level: 'warn',
    payload: { capabilityId: failure.capabilityId, authBinding: failure.authBinding, error: summary },
  });
  try {
    await ctx.artifact({
      type: 'tool_output',
      slug: `${failure.slug}_error`,
      content: { capabilityId: failure.capabilityId, authBinding: failure.authBinding, request: failure.request, error: error.toJSON() },
      metadata: { capabilityId: failure.capabilityId, authBinding: failure.authBinding, errorClass: error.errorClass },
    });
  } catch (artifactError) {
    // The original failure is what the caller needs; the artifact store problem is logged.
    ctx.logger.warn({ capabilityId: failure.capabilityId, err: String(artifactError) }, 'notion: failure artifact not recorded');
  }
}
