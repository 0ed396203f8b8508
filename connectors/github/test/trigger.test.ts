import { describe, expect, it } from 'vitest';
import { IssueOpenedOutputSchema, IssueOpenedSignalSchema, github } from '../src';
import { issueOpenedPayload, signGitHubPayload } from '../src/testing';
import { runCapability } from './support/harness';

describe('github.issue.opened webhook trigger', () => {
  const connector = github();
  const trigger = connector.triggers.find((t) => t.id === 'github.issue.opened')!;

  it('declares GitHub signature verification, the delivery-id header and its signal', () => {
    expect(trigger).toMatchObject({
      deliveryMode: 'webhook',
      signalType: 'github.issue.opened',
      signalSource: '/ingress/webhook/github/issue.opened',
      verification: { scheme: 'github', secretName: 'webhook_secret' },
      deliveryIdHeader: 'x-github-delivery',
      consumerSurface: { mode: 'common', normalizedId: 'work_item.opened', sensorName: 'work_item_opened' },
    });
    const capability = connector.capabilities.find((c) => c.id === 'github.issue.opened')!;
    expect(capability.kind).toBe('trigger');
    expect(capability.inputSchema).toBe(IssueOpenedSignalSchema);
    expect(capability.requiredScopes).toEqual([]);
  });

  it('parses a real-shaped `issues` opened delivery (JSON round trip, unknown fields kept)', () => {
    const raw = JSON.stringify(issueOpenedPayload({ repo: 'octo-org/widgets', number: 42, labels: ['bug', 'p1'], installationId: 9 }));
    const parsed = IssueOpenedSignalSchema.parse(JSON.parse(raw));
    expect(parsed.action).toBe('opened');
    expect(parsed.issue.number).toBe(42);
    expect(parsed.issue.labels.map((l) => l.name)).toEqual(['bug', 'p1']);
    expect(parsed.repository.full_name).toBe('octo-org/widgets');
    expect((parsed.issue as Record<string, unknown>).reactions).toBeDefined();
    expect(parsed.installation?.id).toBe(9);
  });

  it('rejects other actions and malformed payloads', () => {
    const edited = { ...issueOpenedPayload(), action: 'edited' };
    expect(IssueOpenedSignalSchema.safeParse(edited).success).toBe(false);
    const noNumber = issueOpenedPayload();
    delete (noNumber.issue as Record<string, unknown>).number;
    expect(IssueOpenedSignalSchema.safeParse(noNumber).success).toBe(false);
    const badRepo = issueOpenedPayload();
    (badRepo.repository as Record<string, unknown>).full_name = 'not a repo';
    expect(IssueOpenedSignalSchema.safeParse(badRepo).success).toBe(false);
    expect(IssueOpenedSignalSchema.safeParse({ zen: 'Keep it logically awesome.', hook_id: 1 }).success).toBe(false);
  });

  it('signGitHubPayload matches GitHub\'s documented example', () => {
    // https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(signGitHubPayload('Hello, World!', "It's a Secret to Everybody")).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('its handler projects the signal into a work item, with one event and one artifact', async () => {
    const run = await runCapability(connector, 'github.issue.opened', issueOpenedPayload({ number: 7, installationId: 31 }), { token: null });
    expect(run.error).toBeNull();
    expect(IssueOpenedOutputSchema.parse(run.output)).toMatchObject({ repo: 'octo-org/widgets', issueNumber: 7, labels: ['bug'], author: 'monalisa', installationId: 31 });
    expect(run.events.map((e) => e.type)).toEqual(['connector.github.issue.received']);
    expect(run.artifacts.map((a) => a.input.slug)).toEqual(['issue_opened']);
  });

  it('its handler refuses a payload that is not an opened delivery with a typed error', async () => {
    const run = await runCapability(connector, 'github.issue.opened', { ...issueOpenedPayload(), action: 'closed' }, { token: null, rawInput: true });
    expect(run.error).toMatchObject({ code: 'connector_invalid_request', details: { providerCode: 'github.invalid_signal' } });
    expect(run.events).toEqual([]);
  });
});
