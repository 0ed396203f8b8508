import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, generateSealingKey, isSecretKey, ManualClock, REDACTED, type Platform } from '@integration/platform';
import { durableRecordsText, storeTiers, type TierInstance } from '@integration/platform/testing';
import { github } from '../src';
import { startFakeGitHub, type FakeGitHub } from '../src/testing';

/**
 * Records tell the truth: GitHub's data passes through exactly (outputs, artifacts, review
 * packets), whatever its key names and words, and only the call's known secret values (the lease
 * token) are redacted from what is stored.
 */
const CANARY = 'gho_FIDELITY_CANARY_3f9b1c7e5a2d4086';
const REPO = 'octo-org/vault-ops';
const PINNED_COMMENT_ID = 1_000_000_701;
const TOKEN_BODY = 'The `DEPLOY_TOKEN` secret expires on Feb 1. Generate a new fine-grained token, update the org secret, then revoke the old token.';
const LEAKED_BODY = `CI printed the token in its log: ${CANARY} (revoke it)`;

const tiers = await storeTiers();

for (const tier of tiers) describe.skipIf(tier.unavailable !== null)(`github provider data passes through exactly (${tier.name})`, () => {
  let fake: FakeGitHub;
  let platform: Platform;
  let instance: TierInstance;
  let connectionId: string;
  const payloadBytes = new Map<string, Uint8Array>();
  const runIds: string[] = [];

  const artifactOf = async (runId: string) => {
    const [ref] = await platform.runArtifacts(runId);
    const bytes = payloadBytes.get(ref!.payloadRef.key);
    expect(bytes, 'the artifact bytes are in the payload store').toBeDefined();
    return { ref: ref!, content: JSON.parse(Buffer.from(bytes!).toString('utf8')) as { response: { data: Record<string, unknown> } } };
  };

  beforeAll(async () => {
    instance = await tier.create();
    fake = await startFakeGitHub({
      tokens: { [CANARY]: 'octocat' },
      repos: [
        {
          fullName: REPO,
          issues: [
            {
              number: 7,
              title: 'Rotate the deploy token before the freeze',
              body: TOKEN_BODY,
              labels: ['token-rotation', 'secret-scanning', 'pin'],
              assignees: ['monalisa'],
              author: 'hubot',
              comments: [{ id: PINNED_COMMENT_ID, body: 'Runbook: the PIN for the hardware key is in the vault, never in this issue.', author: 'monalisa' }],
              pinnedComment: { commentId: PINNED_COMMENT_ID, pinnedBy: 'octocat' },
            },
            { number: 8, title: 'Leaked token in CI output', body: LEAKED_BODY, labels: ['security'], author: 'hubot' },
          ],
        },
      ],
    });
    platform = await createPlatform({
      connectors: [github({ baseUrl: fake.baseUrl })],
      stores: instance.stores,
      secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' },
      clock: new ManualClock(Date.parse('2026-01-10T12:00:00Z')),
      artifactPayloads: {
        name: 'fidelity-memory',
        put: async (key, bytes) => void payloadBytes.set(key, bytes),
        get: async (key) => payloadBytes.get(key) ?? null,
      },
    });
    const started = await platform.startInstall('github', 'tenant-f', { subject: 'octocat', actorId: 'ops', method: 'secret' });
    const completed = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'octocat',
      secret: { access_token: CANARY },
      grantedScopes: ['repo'],
    });
    connectionId = completed.connection.connectionId;
  });
  afterAll(async () => {
    await platform?.close();
    await instance?.cleanup();
    await fake?.close();
  });

  it('an issue with a pinned comment (pinned_comment.pin) and "token" words: output, artifact and review packet are exact', async () => {
    const served = fake.issue(REPO, 7)!;
    const pinned = served.pinned_comment as { id: number; body: string; pin: { pinned_at: string; pinned_by: { login: string } } };
    // GitHub's real shape; the old key-name redaction would have blanked `pin` and every `*token` key.
    expect(pinned).toMatchObject({ id: PINNED_COMMENT_ID, pin: { pinned_at: expect.any(String), pinned_by: { login: 'octocat', type: 'User' } } });

    const result = await platform.invoke('github.issue.fetch', { repo: REPO, issueNumber: 7 }, { connectionId, actorId: 'ops' });
    runIds.push(result.run.runId);
    // The projection keeps these fields (it drops pinned_comment): exactly GitHub's values.
    expect(result.output).toMatchObject({
      repo: REPO,
      issueNumber: 7,
      title: 'Rotate the deploy token before the freeze',
      body: TOKEN_BODY,
      labels: ['token-rotation', 'secret-scanning', 'pin'],
      assignees: ['monalisa'],
      author: 'hubot',
      commentsCount: 1,
    });

    // The tool_output artifact records GitHub's response, pinned_comment and its pin included.
    const { ref, content } = await artifactOf(result.run.runId);
    expect(ref.redactionStatus).toBe('clear');
    expect(content.response.data).toEqual(served);
    expect(content.response.data.pinned_comment).toEqual(pinned);
    expect((content.response.data.pinned_comment as typeof pinned).pin).toEqual(pinned.pin);

    // The review packet carries the same output and the same artifact reference.
    const packet = await platform.reviewPacket(result.run.runId);
    expect(packet.run.result).toEqual(result.output);
    expect(packet.artifacts).toEqual([ref]);
    expect(packet.events.find((e) => e.type === 'connector.github.issue.fetched')?.payload).toMatchObject({ repo: REPO, issueNumber: 7 });
  });

  it('a provider echo of the lease token: the caller gets it exactly; the stored copies have only that value redacted', async () => {
    const served = fake.issue(REPO, 8)!;
    const result = await platform.invoke('github.issue.fetch', { repo: REPO, issueNumber: 8 }, { connectionId });
    runIds.push(result.run.runId);
    expect((result.output as { body: string }).body).toBe(LEAKED_BODY);

    const redactedBody = LEAKED_BODY.replace(CANARY, REDACTED);
    const { ref, content } = await artifactOf(result.run.runId);
    expect(ref.redactionStatus).toBe('redacted');
    expect(content.response.data).toEqual({ ...served, body: redactedBody });
    const packet = await platform.reviewPacket(result.run.runId);
    expect(packet.run.result).toEqual({ ...(result.output as Record<string, unknown>), body: redactedBody });
  });

  it('the lease token is in no run, attempt, event, artifact, review packet or stored byte', async () => {
    expect(runIds).toHaveLength(2);
    // The names this test relies on really are the ones a key-name heuristic flags.
    expect(['DEPLOY_TOKEN', 'access_token'].every(isSecretKey)).toBe(true);
    expect((await platform.runs()).map((r) => r.runId).sort()).toEqual([...runIds].sort());
    const durable = await durableRecordsText(platform);
    expect(durable).toContain('token-rotation');
    expect(durable).not.toContain(CANARY);
    const payloads = [...payloadBytes.values()].map((b) => Buffer.from(b).toString('utf8')).join('\n');
    expect(payloads).toContain('pinned_at');
    expect(payloads).not.toContain(CANARY);
    if (instance.rawContents) {
      const raw = await instance.rawContents();
      expect(raw.includes(Buffer.from('token-rotation'))).toBe(true);
      expect(raw.includes(Buffer.from(CANARY))).toBe(false);
    }
    // The token did authenticate every request: redaction is not an accident of a broken call.
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.headers.authorization === `token ${CANARY}`)).toBe(true);
  });
});
