import type { z } from 'zod';
import { defineOperation, type OperationDefinition } from '@integration/contracts';
import type { ResolvedGitHubOptions } from './options';
import { runGitHubCall, type GitHubCall } from './run-operation';

export const GITHUB_SCOPE = 'repo';

export interface GitHubOperationSpec<I extends z.ZodType, O extends z.ZodType> {
  /** `github.<noun>.<verb>`. */
  id: string;
  displayName: string;
  description: string;
  /** Past tense of the verb, for the success event `connector.github.<noun>.<past>`. */
  past: string;
  input: I;
  output: O;
  normalizedId: string;
  actionName: string;
  /** The octokit method, e.g. `issues.listForRepo`, and its REST route, for the catalog. */
  sdkMethod: string;
  route: string;
  describe: GitHubCall<z.output<I>, z.output<O>>['describe'];
  call: GitHubCall<z.output<I>, z.output<O>>['call'];
  project: GitHubCall<z.output<I>, z.output<O>>['project'];
  summarize: GitHubCall<z.output<I>, z.output<O>>['summarize'];
}

/** Shared authoring for every GitHub operation: direct, scope `repo`, common consumer surface. */
export function gitHubOperation<I extends z.ZodType, O extends z.ZodType>(
  spec: GitHubOperationSpec<I, O>,
  options: ResolvedGitHubOptions,
): OperationDefinition<I, O> {
  const [, noun, verb] = spec.id.split('.') as [string, string, string];
  const call: GitHubCall<z.output<I>, z.output<O>> = {
    operationId: spec.id,
    slug: `${noun}_${verb}`,
    eventType: `connector.github.${noun}.${spec.past}`,
    input: spec.input as unknown as z.ZodType<z.output<I>>,
    describe: spec.describe,
    call: spec.call,
    project: spec.project,
    summarize: spec.summarize,
  };
  return defineOperation({
    id: spec.id,
    name: spec.actionName,
    displayName: spec.displayName,
    description: spec.description,
    runtimeClass: 'direct',
    input: spec.input,
    output: spec.output,
    scopes: [GITHUB_SCOPE],
    handler: (input, ctx) => runGitHubCall(call, input, ctx, options) as Promise<z.input<O>>,
    policy: {
      sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', allowedTools: [`github.api.${noun}.${verb}`] },
    },
    consumerSurface: { mode: 'common', normalizedId: spec.normalizedId, actionName: spec.actionName },
    schemaPolicy: { input: 'defined', output: 'defined' },
    transport: 'sdk',
    timeoutMs: Math.max(30_000, options.requestTimeoutMs + 5_000),
    metadata: { providerSdk: '@octokit/rest', sdkMethod: spec.sdkMethod, route: spec.route },
  });
}
