import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../src/testing';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = 'scripts/live-acceptance-github.ts';

async function liveScript(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_')));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--conditions=source', script], { cwd: root, env: { ...clean, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The live acceptance script, pointed at the local fake through GITHUB_API_URL (a real child process). */
describe('scripts/live-acceptance-github.ts', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('skips with exit 0 and a clear message when GITHUB_TOKEN/GITHUB_REPO are missing', async () => {
    const result = await liveScript({});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^skipped: set GITHUB_TOKEN and GITHUB_REPO/);
  });

  it('refuses a malformed GITHUB_REPO with exit 2', async () => {
    const result = await liveScript({ GITHUB_TOKEN: FAKE_GITHUB_TOKEN, GITHUB_REPO: 'not-a-repo', GITHUB_API_URL: fake.baseUrl });
    expect(result.code).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });

  it('runs the auth, read and write plans and the token scan', async () => {
    const result = await liveScript({ GITHUB_TOKEN: FAKE_GITHUB_TOKEN, GITHUB_REPO: 'octo-org/widgets', GITHUB_API_URL: fake.baseUrl, GITHUB_LIVE_WRITE: '1' });
    expect(result.stderr).not.toContain(FAKE_GITHUB_TOKEN);
    expect(result.stdout).not.toContain(FAKE_GITHUB_TOKEN);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const name of ['auth/lease', 'read/issue.list', 'read/issue.fetch', 'write/issue.create', 'write/issue.update', 'write/issue.label', 'write/comment.create', 'write/comment.update', 'write/issue.close', 'scan/token']) {
      expect(result.stdout).toContain(`[ok  ] ${name}`);
    }
    const created = fake.issue('octo-org/widgets', 5)!;
    expect(created).toMatchObject({ state: 'closed' });
    expect((created.labels as Array<{ name: string }>).map((l) => l.name)).toEqual(['live-acceptance']);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/octo-org/widgets/issues',
      'GET /repos/octo-org/widgets/issues/3',
      'POST /repos/octo-org/widgets/issues',
      'GET /repos/octo-org/widgets/issues/5',
      'PATCH /repos/octo-org/widgets/issues/5',
      'POST /repos/octo-org/widgets/issues/5/labels',
      'POST /repos/octo-org/widgets/issues/5/comments',
      'PATCH /repos/octo-org/widgets/issues/comments/1000000101',
      'PATCH /repos/octo-org/widgets/issues/5',
    ]);
  });
});
