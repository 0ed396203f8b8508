import type { Platform } from '../create-platform';

/**
 * Everything durable a platform shows through its public API, as one JSON text: runs, connections,
 * installs, and every run's attempts, events, artifact refs and review packet. Tests search it for
 * canary secrets (and for the provider data that must survive).
 */
export async function durableRecordsText(platform: Platform): Promise<string> {
  const runs = await platform.runs();
  const parts: unknown[] = [runs, await platform.connections(), await platform.installs()];
  for (const run of runs) {
    parts.push(await platform.attempts(run.runId), await platform.events(run.runId), await platform.runArtifacts(run.runId), await platform.reviewPacket(run.runId));
  }
  return JSON.stringify(parts);
}
