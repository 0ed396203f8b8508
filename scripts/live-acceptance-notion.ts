/**
 * `pnpm live:notion`: runs the Notion connector against the real Notion API through the platform
 * (secret install → connection → lease → invoke). Offline by default: without NOTION_TOKEN it prints
 * "skipped: …" and exits 0. See connectors/notion/docs/live_acceptance.md.
 *
 *   NOTION_TOKEN              internal integration secret (or an OAuth access token)
 *   NOTION_PAGE_ID            optional: a page shared with the integration (read plan retrieves it)
 *   NOTION_LIVE_WRITE=1       enable the write plan, which also needs one of:
 *   NOTION_DATA_SOURCE_ID     a data source to create the test page in (preferred), or
 *   NOTION_PARENT_PAGE_ID     a page to create the test page under
 *   NOTION_BASE_URL           optional API origin (default https://api.notion.com)
 *   NOTION_LIVE_AUTH=1        instead of NOTION_TOKEN: install through OAuth interactively, with
 *   NOTION_OAUTH_CLIENT_ID / NOTION_OAUTH_CLIENT_SECRET / NOTION_OAUTH_REDIRECT_URI (public integration)
 */
import { createInterface } from 'node:readline/promises';
import { createPlatform, generateSealingKey, isIntegrationError, type Platform } from '@integration/platform';
import { durableRecordsText } from '@integration/platform/testing';
import { allNotionScopes, notion } from '@integration/connector-notion';

interface Step {
  plan: 'read' | 'write';
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

const steps: Step[] = [];
const env = process.env;
const token = env.NOTION_TOKEN?.trim();

function record(plan: Step['plan'], name: string, status: Step['status'], detail: string): void {
  steps.push({ plan, name, status, detail });
  const mark = status === 'ok' ? 'ok  ' : status === 'skipped' ? 'skip' : 'FAIL';
  console.log(`  [${mark}] ${plan}/${name}: ${detail}`);
}

function describeError(error: unknown): string {
  if (isIntegrationError(error)) {
    const details = error.details as { providerCode?: string; upstream?: { httpStatus?: number } };
    return `${error.code}${details.providerCode ? ` (${details.providerCode}${details.upstream?.httpStatus ? `, HTTP ${details.upstream.httpStatus}` : ''})` : ''}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function step<T>(platform: Platform, plan: Step['plan'], name: string, capabilityId: string, input: unknown, connectionId: string, summarize: (output: T) => string): Promise<T | null> {
  try {
    const result = await platform.invoke(capabilityId, input, { connectionId, actorId: 'live-acceptance', tenantId: 'live' });
    record(plan, name, 'ok', `${summarize(result.output as T)} (run ${result.run.runId})`);
    return result.output as T;
  } catch (error) {
    record(plan, name, 'failed', describeError(error));
    return null;
  }
}

type Page = { data: { id: string; url: string; properties: Record<string, { type: string }> }; schemaContext: { propertyNames: string[] } | null };

async function main(): Promise<number> {
  const oauth = env.NOTION_LIVE_AUTH === '1';
  const client = { clientId: env.NOTION_OAUTH_CLIENT_ID, clientSecret: env.NOTION_OAUTH_CLIENT_SECRET, redirectUri: env.NOTION_OAUTH_REDIRECT_URI };
  if (!token && !oauth) {
    console.log('skipped: NOTION_TOKEN is not set (nor NOTION_LIVE_AUTH=1); the live Notion acceptance run needs a real integration (see connectors/notion/docs/live_acceptance.md)');
    return 0;
  }
  if (!token && (!client.clientId || !client.clientSecret || !client.redirectUri)) {
    console.log('skipped: NOTION_LIVE_AUTH=1 needs NOTION_OAUTH_CLIENT_ID, NOTION_OAUTH_CLIENT_SECRET and NOTION_OAUTH_REDIRECT_URI');
    return 0;
  }
  if (!token && !process.stdin.isTTY) {
    console.log('skipped: the OAuth plan is interactive (paste the redirect URL); run it in a terminal');
    return 0;
  }
  const platform = await createPlatform({
    connectors: [notion(env.NOTION_BASE_URL ? { baseUrl: env.NOTION_BASE_URL } : {})],
    secrets: { keys: { live: generateSealingKey() }, activeKeyId: 'live' },
    environment: 'development',
    ...(token ? {} : { oauthClients: { notion: { clientId: client.clientId!, clientSecret: client.clientSecret!, redirectUri: client.redirectUri! } } }),
  });
  try {
    const connection = token ? await secretInstall(platform, token) : await oauthInstall(platform);
    if (!connection) return 1;
    const connectionId = connection.connectionId;
    const lease = await platform.requestLease(connectionId, { requiredScopes: [], actorId: 'live-acceptance' });
    record('read', 'lease', Object.keys(lease.payload).join(',') === 'access_token' ? 'ok' : 'failed', `lease fields: ${Object.keys(lease.payload).join(', ')}`);

    console.log('read plan');
    await step<{ data: { id: string; name?: string | null; type?: string } }>(platform, 'read', 'users.get_self', 'notion.users.get_self', {}, connectionId, (o) => `bot ${o.data.name ?? o.data.id} (${o.data.type})`);
    await step<{ data: { results: unknown[]; has_more: boolean } }>(platform, 'read', 'search.search', 'notion.search.search', { page_size: 5 }, connectionId, (o) => `${o.data.results.length} results, has_more=${o.data.has_more}`);
    if (env.NOTION_PAGE_ID) {
      await step<Page>(platform, 'read', 'pages.retrieve', 'notion.pages.retrieve', { page_id: env.NOTION_PAGE_ID }, connectionId, (o) => `page ${o.data.id}, schema: ${o.schemaContext ? o.schemaContext.propertyNames.join(', ') : 'none'}`);
    } else {
      record('read', 'pages.retrieve', 'skipped', 'NOTION_PAGE_ID is not set');
    }

    if (env.NOTION_LIVE_WRITE !== '1') {
      record('write', 'plan', 'skipped', 'NOTION_LIVE_WRITE is not 1');
    } else if (!env.NOTION_DATA_SOURCE_ID && !env.NOTION_PARENT_PAGE_ID) {
      record('write', 'plan', 'skipped', 'set NOTION_DATA_SOURCE_ID or NOTION_PARENT_PAGE_ID');
    } else {
      console.log('write plan');
      await writePlan(platform, connectionId);
    }
    const runs = await platform.runs();
    const leaked = (await durableRecordsText(platform)).includes(lease.payload.access_token ?? '\u0000');
    record('read', 'redaction', leaked ? 'failed' : 'ok', `token absent from ${runs.length} runs, their attempts, events, artifacts and review packets`);
  } finally {
    await platform.close();
  }
  const failed = steps.filter((s) => s.status === 'failed');
  console.log(`\n${steps.filter((s) => s.status === 'ok').length} ok, ${failed.length} failed, ${steps.filter((s) => s.status === 'skipped').length} skipped`);
  return failed.length === 0 ? 0 : 1;
}

async function secretInstall(platform: Platform, secret: string) {
  const started = await platform.startInstall('notion', 'live', { subject: 'notion-live', actorId: 'live-acceptance', method: 'secret', requestedScopes: allNotionScopes });
  const { connection } = await platform.completeInstall(started.install.installId, {
    callbackToken: started.callbackToken,
    subject: 'notion-live',
    secret: { access_token: secret },
    grantedScopes: allNotionScopes,
  });
  record('read', 'install', 'ok', `secret install → connection ${connection.connectionId}`);
  return connection;
}

/** Public-integration OAuth: print the authorization URL, read back the redirect URL, exchange the code. */
async function oauthInstall(platform: Platform) {
  const started = await platform.startInstall('notion', 'live', { subject: 'notion-live', actorId: 'live-acceptance', method: 'oauth' });
  console.log(`open this URL, approve access, then paste the URL you are redirected to:\n\n  ${started.authorizationUrl}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const pasted = (await rl.question('redirect URL: ')).trim();
  rl.close();
  let callback: URL;
  try {
    callback = new URL(pasted);
  } catch {
    record('read', 'install', 'failed', 'that is not a URL');
    return null;
  }
  const code = callback.searchParams.get('code');
  const state = callback.searchParams.get('state');
  if (!code || !state) {
    record('read', 'install', 'failed', `the redirect carries no code/state${callback.searchParams.get('error') ? ` (error=${callback.searchParams.get('error')})` : ''}`);
    return null;
  }
  try {
    const { connection } = await platform.completeInstall(started.install.installId, { callbackToken: started.callbackToken, subject: 'notion-live', code, state });
    record('read', 'install', 'ok', `OAuth install → connection ${connection.connectionId}`);
    return connection;
  } catch (error) {
    record('read', 'install', 'failed', describeError(error));
    return null;
  }
}

async function writePlan(platform: Platform, connectionId: string): Promise<void> {
  const stamp = new Date().toISOString();
  let parent: Record<string, string>;
  let titleKey = 'title';
  if (env.NOTION_DATA_SOURCE_ID) {
    parent = { data_source_id: env.NOTION_DATA_SOURCE_ID };
    // Find the data source's title property through a query (its schema context names the properties).
    const query = await step<{ data: { results: Array<{ properties?: Record<string, { type: string }> }> }; schemaContext: { propertyNames: string[] } | null }>(
      platform, 'write', 'data_sources.query', 'notion.data_sources.query', { data_source_id: env.NOTION_DATA_SOURCE_ID, page_size: 1 }, connectionId,
      (o) => `${o.data.results.length} row(s); properties: ${o.schemaContext?.propertyNames.join(', ') ?? '?'}`,
    );
    const sample = query?.data.results[0]?.properties ?? {};
    titleKey = env.NOTION_TITLE_PROPERTY ?? Object.entries(sample).find(([, v]) => v.type === 'title')?.[0] ?? 'Name';
  } else {
    parent = { page_id: env.NOTION_PARENT_PAGE_ID! };
  }
  const created = await step<Page>(
    platform, 'write', 'pages.create', 'notion.pages.create',
    { parent, properties: { [titleKey]: { title: [{ text: { content: `Integration live acceptance ${stamp}` } }] } } }, connectionId,
    (o) => `created ${o.data.url}`,
  );
  if (!created) return;
  const pageId = created.data.id;
  try {
    await step<Page>(platform, 'write', 'pages.update', 'notion.pages.update',
      { page_id: pageId, properties: { [titleKey]: { title: [{ text: { content: `Integration live acceptance ${stamp} (updated)` } }] } } }, connectionId,
      () => 'title updated');
    await step<{ data: { results: unknown[] } }>(platform, 'write', 'blocks.append_children', 'notion.blocks.append_children',
      { block_id: pageId, children: [{ paragraph: { rich_text: [{ text: { content: 'Written by scripts/live-acceptance-notion.ts' } }] } }] }, connectionId,
      (o) => `${o.data.results.length} block(s) appended`);
    await step<{ data: { results: unknown[] } }>(platform, 'write', 'blocks.list_children', 'notion.blocks.list_children', { block_id: pageId }, connectionId, (o) => `${o.data.results.length} block(s)`);
    await step<{ data: { id: string } }>(platform, 'write', 'comments.create', 'notion.comments.create',
      { parent: { page_id: pageId }, rich_text: [{ text: { content: 'Live acceptance comment' } }] }, connectionId, (o) => `comment ${o.data.id}`);
  } finally {
    await step<Page>(platform, 'write', 'pages.update (archive)', 'notion.pages.update', { page_id: pageId, in_trash: true }, connectionId, () => 'test page moved to trash');
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`live acceptance crashed: ${describeError(error)}`);
    process.exit(1);
  },
);
