import { describe, expect, it } from 'vitest';
import { ConnectorError } from '@integration/contracts';
import { github } from '../src';
import { startFakeGitHub } from '../src/testing';
import { runCapability, type HarnessRun } from './support/harness';

const CANARY = 'gho_CANARY_7d1f0c9b2e4a4c0f9e8d7c6b5a493827';
const WEBHOOK_CANARY = 'whsec_CANARY_webhook_secret_value';

/** Every durable or observable copy of a run (not the output, which the caller gets exactly). */
function serialize(run: HarnessRun): string {
  const error = run.error as ConnectorError | null;
  return JSON.stringify({
    events: run.events,
    artifacts: run.artifacts.map((a) => ({ text: a.text, ref: a.ref, metadata: a.input.metadata })),
    logs: run.logs,
    error: error ? { message: error.message, code: error.code, details: error.details, upstream: error.upstream, stack: error.stack, cause: String(error.cause ?? '') } : null,
  });
}

describe('the token never reaches events, artifacts, logs or errors (canary); outputs are exact', () => {
  it('success and provider failures that echo the token', async () => {
    const fake = await startFakeGitHub({ tokens: { [CANARY]: 'octocat' } });
    try {
      const connector = github({ baseUrl: fake.baseUrl });
      const opts = { token: CANARY, extraSecrets: { webhook_secret: WEBHOOK_CANARY } };
      const runs: HarnessRun[] = [];
      runs.push(await runCapability(connector, 'github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 1 }, opts));
      runs.push(await runCapability(connector, 'github.issue.list', { repo: 'octo-org/widgets' }, opts));
      // An issue body that contains the token (e.g. pasted by mistake) is redacted from every record,
      // but the caller's output is GitHub's answer, exactly.
      runs.push(await runCapability(connector, 'github.issue.create', { repo: 'octo-org/widgets', title: 'leak test', body: `token=${CANARY}` }, opts));
      runs.push(await runCapability(connector, 'github.comment.create', { repo: 'octo-org/widgets', issueNumber: 1, body: `see ${WEBHOOK_CANARY}` }, opts));
      // A 404 whose body and headers echo the credentials.
      fake.respondOnce({ path: '/repos/octo-org/widgets/issues/2' }, {
        status: 404,
        headers: { 'x-echo-authorization': `token ${CANARY}`, 'x-github-request-id': CANARY },
        body: { message: `Not Found for token ${CANARY}`, token: CANARY, authorization: `token ${CANARY}`, documentation_url: 'https://docs.github.com/rest' },
      });
      runs.push(await runCapability(connector, 'github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 2 }, opts));
      // 401 / 422 / 500 / network paths.
      fake.respondOnce({ path: '/repos/octo-org/widgets/issues/3' }, { status: 401, body: { message: `Bad credentials: ${CANARY}` } });
      runs.push(await runCapability(connector, 'github.issue.fetch', { repo: 'octo-org/widgets', issueNumber: 3 }, opts));
      fake.respondOnce({ method: 'POST' }, { status: 422, body: { message: 'Validation Failed', errors: [{ field: 'title', value: CANARY }] } });
      runs.push(await runCapability(connector, 'github.issue.create', { repo: 'octo-org/widgets', title: 'x' }, opts));
      fake.respondOnce({}, { status: 500, body: `upstream exploded with ${CANARY}`, headers: { 'content-type': 'text/plain' } });
      runs.push(await runCapability(connector, 'github.issue.list', { repo: 'octo-org/widgets' }, opts));

      expect(runs.filter((r) => r.error === null)).toHaveLength(4);
      expect(runs.filter((r) => r.error !== null)).toHaveLength(4);
      expect((runs[2]!.output as { body: string }).body).toBe(`token=${CANARY}`);
      expect((runs[3]!.output as { body: string }).body).toBe(`see ${WEBHOOK_CANARY}`);
      for (const run of [runs[0]!, runs[1]!]) expect(JSON.stringify(run.output)).not.toContain('CANARY');
      for (const run of runs) {
        const text = serialize(run);
        expect(text).not.toContain(CANARY);
        expect(text).not.toContain(WEBHOOK_CANARY);
        expect(text).not.toContain('CANARY');
      }
      const failed = runs[4]!;
      expect((failed.error as ConnectorError).details.providerCode).toBe('github.not_found');
      expect((failed.error as ConnectorError).message).toContain('[REDACTED]');
      // The server really did receive the token: redaction is not an accident of a broken request.
      expect(fake.requests.every((r) => r.headers.authorization === `token ${CANARY}`)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
