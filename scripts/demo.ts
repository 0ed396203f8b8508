/**
 * `pnpm demo`: the platform end to end on embedded defaults, offline.
 * A notes connector writes real files under .integration/, the ledger lives in a SQLite file there
 * (so state survives between runs), and every step prints what the ledger recorded.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createPlatform, generateSealingKey, isIntegrationError, sqliteStores, type Event, type Platform, type ReviewPacket } from '@integration/platform';
import { notesConnector } from '@integration/connector-notes';

const stateDir = resolve(process.cwd(), '.integration');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function printEvents(events: Event[]): void {
  for (const e of events) {
    const where = e.attemptId ? `attempt ${e.attempt}` : 'run';
    console.log(`    ${String(e.seq).padStart(2)}  ${e.type.padEnd(34)} ${dim(`${where} · ${e.stream}/${e.level}`)}`);
  }
}

function printPacket(packet: ReviewPacket): void {
  const m = packet.metadata;
  console.log(`  review packet ${dim(m.packetRef)}`);
  console.log(`    capability  ${packet.capability?.capabilityId} (${packet.capability?.runtimeClass}) of ${packet.connector?.displayName}`);
  console.log(`    attempts    ${packet.attempts.map((a) => `${a.attempt}:${a.status}`).join(', ') || 'none'}`);
  console.log(`    artifacts   ${packet.artifacts.map((a) => `${a.artifactType} ${a.checksum.slice(0, 19)}… (${a.sizeBytes} B)`).join(', ') || 'none'}`);
  console.log(`    evidence    ${m.evidenceRefs.length} refs, governance ${m.governanceRefs.length} refs`);
}

async function step(platform: Platform, title: string, action: () => Promise<{ run: { runId: string } } | void>): Promise<void> {
  console.log(`\n${bold(`▸ ${title}`)}`);
  let runId: string | undefined;
  try {
    const result = await action();
    if (result) {
      runId = result.run.runId;
      const run = await platform.fetchRun(runId);
      console.log(`  run ${runId} → ${bold(run.status)}`);
      console.log(`  output ${JSON.stringify(run.result)}`);
    }
  } catch (error) {
    if (!isIntegrationError(error)) throw error;
    console.log(`  ${bold(error.code)}: ${error.message}`);
    runId = error.run?.runId;
    if (!runId) console.log(dim('  (no run was created)'));
    else console.log(`  run ${runId} → ${bold(error.run!.status)}`);
  }
  if (runId) {
    console.log('  events');
    printEvents(await platform.events(runId));
    printPacket(await platform.reviewPacket(runId));
  }
}

/** A development key ring kept next to the demo state, so sealed credentials open on the next run. */
async function demoKeyRing(): Promise<{ keys: Record<string, string>; activeKeyId: string }> {
  const path = join(stateDir, 'dev-keyring.json');
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    const ring = { keys: { dev1: generateSealingKey() }, activeKeyId: 'dev1' };
    await writeFile(path, JSON.stringify(ring), { mode: 0o600 });
    return ring;
  }
}

async function main(): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const notesDir = join(stateDir, 'notes');
  const dbPath = join(stateDir, 'state.db');
  const platform = await createPlatform({
    connectors: [notesConnector({ directory: notesDir })],
    stores: sqliteStores({ path: dbPath }),
    environment: 'development',
    secrets: await demoKeyRing(),
  });
  const earlier = await platform.runs();
  console.log(bold('Integration platform demo'));
  console.log(dim(`  state: ${dbPath} (SQLite; ${earlier.length} runs from earlier demo runs are still there)`));
  console.log(dim(`  connectors: ${platform.connectors().map((c) => c.id).join(', ')} · capabilities: ${platform.capabilities().map((c) => c.id).join(', ')}`));
  console.log(dim(`  notes directory: ${notesDir}`));

  await step(platform, 'append a line to a note (a real file write)', () =>
    platform.invoke('notes.note.append', { name: 'demo', line: `hello at ${new Date().toISOString()}` }),
  );
  await step(platform, 'read the note back', () => platform.invoke('notes.note.read', { name: 'demo' }));
  await step(platform, 'read a note that does not exist (a typed connector error, recorded)', () =>
    platform.invoke('notes.note.read', { name: 'missing-note' }),
  );
  await step(platform, 'invalid input is rejected before any run exists', () => platform.invoke('notes.note.append', { name: 'Bad Name!', line: '' }));
  await step(platform, 'a scoped capability without a connection', () => platform.invoke('notes.note.publish', { name: 'demo' }));
  await step(platform, 'install a connection (API token), then publish through it', async () => {
    const started = await platform.startInstall('notes', 'demo-tenant', { subject: 'demo-user', requestedScopes: ['notes:publish'] });
    const { connection } = await platform.completeInstall(started.install.installId, {
      callbackToken: started.callbackToken,
      subject: 'demo-user',
      secret: { api_token: `demo-token-${Date.now()}` },
      grantedScopes: ['notes:publish'],
    });
    console.log(`  connection ${connection.connectionId} → ${bold(connection.state)} (the token is sealed; runs only see a lease)`);
    return platform.invoke('notes.note.publish', { name: 'demo' }, { connectionId: connection.connectionId });
  });
  await step(platform, 'the host is under pressure: the run is shed at admission', () =>
    platform.invoke('notes.note.append', { name: 'demo', line: 'never written' }, { pressure: { decision: 'shed', reason: 'demo pressure' } }),
  );
  await platform.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
