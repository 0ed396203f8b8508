import { z } from 'zod';
import { ConnectorError, defineTrigger, issuesOf, type HandlerContext } from '@integration/contracts';
import { IssueNumberSchema, RepoSchema } from '../schemas';

const WebhookUserSchema = z.looseObject({
  login: z.string().min(1),
  id: z.int().positive(),
  type: z.string().optional(),
});

const WebhookLabelSchema = z.looseObject({ name: z.string() });

/**
 * The `issues` webhook payload with `action: "opened"` (header `X-GitHub-Event: issues`). Loose
 * objects: GitHub adds fields over time; the fields the platform relies on are required.
 */
export const IssueOpenedSignalSchema = z.looseObject({
  action: z.literal('opened'),
  issue: z.looseObject({
    id: z.int().positive(),
    node_id: z.string().optional(),
    number: IssueNumberSchema,
    title: z.string(),
    body: z.string().nullable().optional(),
    state: z.enum(['open', 'closed']),
    html_url: z.url(),
    url: z.url().optional(),
    labels: z.array(WebhookLabelSchema).default([]),
    assignees: z.array(WebhookUserSchema).default([]),
    user: WebhookUserSchema,
    comments: z.int().min(0).optional(),
    created_at: z.iso.datetime({ offset: true }),
    updated_at: z.iso.datetime({ offset: true }),
    author_association: z.string().optional(),
  }),
  repository: z.looseObject({
    id: z.int().positive(),
    name: z.string(),
    full_name: RepoSchema,
    private: z.boolean(),
    html_url: z.url(),
    owner: WebhookUserSchema,
  }),
  sender: WebhookUserSchema,
  installation: z.looseObject({ id: z.int().positive() }).optional(),
  organization: z.looseObject({ login: z.string() }).optional(),
});
export type IssueOpenedSignal = z.output<typeof IssueOpenedSignalSchema>;

/** Which deliveries a webhook route for this trigger is meant for. */
export const IssueOpenedConfigSchema = z.strictObject({
  /** Only this repository ("owner/name"); all repositories of the hook when absent. */
  repo: RepoSchema.optional(),
});

/** What executing an admitted `github.issue.opened` run returns: the work-item projection. */
export const IssueOpenedOutputSchema = z.strictObject({
  repo: RepoSchema,
  issueNumber: IssueNumberSchema,
  title: z.string(),
  body: z.string().nullable(),
  state: z.enum(['open', 'closed']),
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  author: z.string(),
  sender: z.string(),
  htmlUrl: z.url(),
  createdAt: z.iso.datetime({ offset: true }),
  installationId: z.int().positive().nullable(),
});
export type IssueOpenedOutput = z.output<typeof IssueOpenedOutputSchema>;

export function projectIssueOpened(signal: IssueOpenedSignal): IssueOpenedOutput {
  return {
    repo: signal.repository.full_name,
    issueNumber: signal.issue.number,
    title: signal.issue.title,
    body: signal.issue.body ?? null,
    state: signal.issue.state,
    labels: signal.issue.labels.map((label) => label.name),
    assignees: signal.issue.assignees.map((user) => user.login),
    author: signal.issue.user.login,
    sender: signal.sender.login,
    htmlUrl: signal.issue.html_url,
    createdAt: signal.issue.created_at,
    installationId: signal.installation?.id ?? null,
  };
}

async function handleIssueOpened(signal: IssueOpenedSignal, ctx: HandlerContext): Promise<IssueOpenedOutput> {
  const parsed = IssueOpenedSignalSchema.safeParse(signal);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ConnectorError({
      class: 'invalid_request',
      message: `not an issues "opened" delivery: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      providerCode: 'github.invalid_signal',
      upstream: { providerCode: 'github.invalid_signal', issues },
    });
  }
  const output = projectIssueOpened(parsed.data);
  ctx.emit({
    type: 'connector.github.issue.received',
    stream: 'control',
    level: 'info',
    payload: { triggerId: 'github.issue.opened', repo: output.repo, issueNumber: output.issueNumber, sender: output.sender },
  });
  await ctx.artifact({
    type: 'tool_output',
    slug: 'issue_opened',
    // The runtime redacts the lease's secret values (e.g. the webhook secret) from artifacts.
    content: { triggerId: 'github.issue.opened', signal: output },
    metadata: { triggerId: 'github.issue.opened' },
  });
  return output;
}

export const GITHUB_DELIVERY_HEADER = 'x-github-delivery';

export function issueOpenedTrigger() {
  return defineTrigger({
    id: 'github.issue.opened',
    name: 'issue_opened',
    displayName: 'Issue opened',
    description:
      'Webhook for the `issues` event with action "opened". Verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw body under the webhook secret); X-GitHub-Delivery is the dedupe key. Deliveries of other actions fail signal validation.',
    deliveryMode: 'webhook',
    runtimeClass: 'direct',
    config: IssueOpenedConfigSchema,
    signal: IssueOpenedSignalSchema,
    signalType: 'github.issue.opened',
    signalSource: '/ingress/webhook/github/issue.opened',
    verification: { scheme: 'github', secretName: 'webhook_secret', header: 'x-hub-signature-256' },
    deliveryIdHeader: GITHUB_DELIVERY_HEADER,
    handler: handleIssueOpened,
    dedupe: { strategy: 'delivery_id', description: 'X-GitHub-Delivery (a GUID per delivery; redeliveries reuse it)' },
    consumerSurface: { mode: 'common', normalizedId: 'work_item.opened', sensorName: 'work_item_opened' },
    schemaPolicy: { config: 'defined', signal: 'defined' },
    metadata: { githubEvent: 'issues', githubAction: 'opened' },
  });
}
