/**
 * `pnpm live:github`: runs the GitHub connector against the real GitHub API through the platform
 * (secret install → connection → lease → invoke). Offline by default: without GITHUB_TOKEN and
 * GITHUB_REPO it prints "skipped: …" and exits 0. See connectors/github/docs/live_acceptance.md.
 *
 *   GITHUB_TOKEN            a token with the `repo` scope (classic PAT, OAuth token) or a
 *                           fine-grained PAT with Issues read (and write for the write plan)
 *   GITHUB_REPO             owner/name of the repository to read (and write)
 *   GITHUB_ISSUE_NUMBER     optional: the issue the read plan fetches (default: newest from the list)
 *   GITHUB_LIVE_WRITE=1     also run the write plan: create, fetch, update, label, comment
 *                           create/update, close (the created issue is always closed at the end)
 *   GITHUB_API_URL          optional REST root (default https://api.github.com; GHES: https://HOST/api/v3)
 */
import { createPlatform, generateSealingKey, isIntegrationError, type ArtifactPayloadStore, type Platform } from '@integration/platform';
import { github, REPO_PATTERN } from '../connectors/github/src/index';

interface Step {
  plan: 'auth' | 'read' | 'write' | 'scan';
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

const env = process.env;
const token = env.GITHUB_TOKEN?.trim();
const repo = env.GITHUB_REPO?.trim();
const steps: Step[] = [];
const runIds: string[] = [];

function record(plan: Step['plan'], name: string, status: Step['status'], detail: string): void {
  steps.push({ plan, name, status, detail });
  const mark = status === 'ok' ? 'ok  ' : status === 'skipped' ? 'skip' : 'FAIL';
  console.log(`  [${mark}] ${plan}/${name}: ${detail}`);
}

function describeError(error: unknown): string {
  if (isIntegrationError(error)) {
    const details = error.details as { providerCode?: string; upstream?: { httpStatus?: number; providerRequestId?: string } };
    const where = [details.providerCode, details.upstream?.httpStatus ? `HTTP ${details.upstream.httpStatus}` : null, details.upstream?.providerRequestId ? `request ${details.upstream.providerRequestId}` : null]
      .filter(Boolean)
      .join(', ');
    return `${error.code}${where ? ` (${where})` : ''}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function step<T>(platform: Platform, plan: Step['plan'], name: string, capabilityId: string, input: unknown, connectionId: string, summarize: (output: T) => string): Promise<T | null> {
  try {
    const result = await platform.invoke(capabilityId, input, { connectionId, actorId: 'live-acceptance', tenantId: 'live' });
    runIds.push(result.run.runId);
    record(plan, name, 'ok', `${summarize(result.output as T)} (run ${result.run.runId})`);
    return result.output as T;
  } catch (error) {
    const run = (error as { run?: { runId: string } }).run;
    if (run) runIds.push(run.runId);
    record(plan, name, 'failed', describeError(error));
    return null;
  }
}

/** Keeps artifact bytes in memory so the token scan can read them. */
function scannablePayloads(): ArtifactPayloadStore & { all(): Uint8Array[] } {
  const items = new Map<string, Uint8Array>();
  return {
    name: 'live-memory',
    async put(key, bytes) {
      items.set(key, bytes);
    },
    async get(key) {
      return items.get(key) ?? null;
    },
    all: () => [...items.values()],
  };
}

type Issue = { issueNumber: number; title: string; state: string; labels: string[]; htmlUrl: string };
type IssueList = { count: number; nextPage: number | null; issues: Array<Issue & { isPullRequest: boolean }> };
type Comment = { commentId: number; htmlUrl: string };

async function main(): Promise<number> {
  if (!token || !repo) {
    console.log('skipped: set GITHUB_TOKEN and GITHUB_REPO (owner/name) to run the live GitHub acceptance (GITHUB_LIVE_WRITE=1 adds the write plan); see connectors/github/docs/live_acceptance.md');
    return 0;
  }
  if (!REPO_PATTERN.test(repo)) {
    console.error(`GITHUB_REPO must be "owner/name" (got ${JSON.stringify(repo)})`);
    return 2;
  }
  const issueNumberEnv = env.GITHUB_ISSUE_NUMBER ? Number(env.GITHUB_ISSUE_NUMBER) : null;
  if (issueNumberEnv !== null && !(Number.isInteger(issueNumberEnv) && issueNumberEnv >= 1)) {
    console.error('GITHUB_ISSUE_NUMBER must be a positive integer');
    return 2;
  }
  const write = env.GITHUB_LIVE_WRITE === '1';
  const payloads = scannablePayloads();
  const platform = await createPlatform({
    connectors: [github({ ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}), userAgent: 'integration-platform-live-acceptance' })],
    secrets: { keys: { live: generateSealingKey() }, activeKeyId: 'live' },
    environment: 'development',
    artifactPayloads: payloads,
  });
  try {
    console.log(`GitHub live acceptance against ${repo} (${write ? 'read + write' : 'read only'})`);
    console.log('auth plan');
    const started = await platform.startInstall('github', 'live', { subject: 'github-live', actorId: 'live-acceptance', method: 'secret' });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'github-live',
      secret: { access_token: token },
      grantedScopes: ['repo'],
    });
    const connectionId = connection.connectionId;
    record('auth', 'install', connection.state === 'connected' ? 'ok' : 'failed', `connection ${connectionId} is ${connection.state}`);
    const lease = await platform.requestLease(connectionId, { requiredScopes: ['repo'], actorId: 'live-acceptance' });
    const fields = Object.keys(lease.payload).sort().join(',');
    record('auth', 'lease', fields === 'access_token' ? 'ok' : 'failed', `lease fields: ${fields}`);

    console.log('read plan');
    const list = await step<IssueList>(platform, 'read', 'issue.list', 'github.issue.list', { repo, state: 'all', perPage: 5 }, connectionId, (o) => `${o.count} items, next page ${o.nextPage ?? 'none'}`);
    const readTarget = issueNumberEnv ?? list?.issues.find((i) => !i.isPullRequest)?.issueNumber ?? null;
    if (readTarget === null) record('read', 'issue.fetch', 'skipped', 'the repository has no issues; set GITHUB_ISSUE_NUMBER or run the write plan');
    else await step<Issue>(platform, 'read', 'issue.fetch', 'github.issue.fetch', { repo, issueNumber: readTarget }, connectionId, (o) => `#${o.issueNumber} "${o.title}" (${o.state})`);

    if (write) {
      console.log('write plan');
      const stamp = new Date().toISOString();
      const created = await step<Issue>(
        platform,
        'write',
        'issue.create',
        'github.issue.create',
        { repo, title: `integration-platform live acceptance ${stamp}`, body: 'Created by `pnpm live:github`; closed at the end of the run.' },
        connectionId,
        (o) => `#${o.issueNumber} ${o.htmlUrl}`,
      );
      if (created) {
        const issueNumber = created.issueNumber;
        try {
          await step<Issue>(platform, 'write', 'issue.fetch', 'github.issue.fetch', { repo, issueNumber }, connectionId, (o) => `#${o.issueNumber} is ${o.state}`);
          await step<Issue>(platform, 'write', 'issue.update', 'github.issue.update', { repo, issueNumber, body: `Updated by \`pnpm live:github\` at ${stamp}.` }, connectionId, (o) => `#${o.issueNumber} updated`);
          await step<{ labels: string[] }>(platform, 'write', 'issue.label', 'github.issue.label', { repo, issueNumber, labels: ['live-acceptance'] }, connectionId, (o) => `labels: ${o.labels.join(', ')}`);
          const comment = await step<Comment>(platform, 'write', 'comment.create', 'github.comment.create', { repo, issueNumber, body: 'Live acceptance comment.' }, connectionId, (o) => `comment ${o.commentId}`);
          if (comment) {
            await step<Comment>(platform, 'write', 'comment.update', 'github.comment.update', { repo, commentId: comment.commentId, body: 'Live acceptance comment (edited).' }, connectionId, (o) => `comment ${o.commentId} edited`);
          } else {
            record('write', 'comment.update', 'skipped', 'no comment was created');
          }
        } finally {
          await step<{ state: string }>(platform, 'write', 'issue.close', 'github.issue.close', { repo, issueNumber, stateReason: 'completed' }, connectionId, (o) => `#${issueNumber} is ${o.state}`);
        }
      }
    } else {
      record('write', 'plan', 'skipped', 'set GITHUB_LIVE_WRITE=1 to create, update, label, comment on and close a test issue');
    }

    console.log('token scan');
    const parts: unknown[] = [await platform.connections(), await platform.installs()];
    for (const runId of runIds) {
      parts.push(await platform.fetchRun(runId), await platform.attempts(runId), await platform.events(runId), await platform.runArtifacts(runId), await platform.reviewPacket(runId));
    }
    const durable = JSON.stringify(parts);
    const bytes = payloads.all().map((b) => Buffer.from(b).toString('utf8'));
    const leaked = durable.includes(token) || bytes.some((text) => text.includes(token));
    record('scan', 'token', leaked ? 'failed' : 'ok', `${runIds.length} runs, ${bytes.length} artifact payloads scanned: ${leaked ? 'THE TOKEN WAS FOUND' : 'no token found'}`);
  } catch (error) {
    record('auth', 'setup', 'failed', describeError(error));
  } finally {
    await platform.close();
  }
  const failed = steps.filter((s) => s.status === 'failed');
  console.log(`\n${steps.filter((s) => s.status === 'ok').length} ok, ${failed.length} failed, ${steps.filter((s) => s.status === 'skipped').length} skipped`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`live acceptance crashed: ${describeError(error)}`);
    process.exitCode = 1;
  },
);
