/**
 * Session reuse benchmark: the cost of one turn on a reused session versus a fresh session per
 * invoke (the baseline), for the in-process kernel and the subprocess driver (a real child process
 * and, for fresh sessions, a new boundary working directory). Bounded: a few seconds on 2 cores.
 *   pnpm bench:session
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { attemptIdFor, defineConnector, defineOperation, isoAt, newId, silentLogger, systemClock, type Capability, type RuntimeContext, type RuntimeRouting } from '@integration/contracts';
import { createSessionRuntime } from '../src';

function capability(runtime: RuntimeRouting): Capability {
  const op = defineOperation({
    id: 'bench.session.turn',
    description: 'bench',
    runtimeClass: 'session',
    input: z.object({ prompt: z.string() }),
    output: z.object({}).passthrough(),
    schemaPolicy: { output: 'passthrough', justification: 'bench' },
    runtime,
    consumerSurface: { mode: 'connector_local', reason: 'bench' },
  });
  return defineConnector({ id: 'bench', auth: { type: 'none' }, catalog: { displayName: 'Bench' }, operations: [op] }).capabilities[0]!;
}

function context(): RuntimeContext {
  const runId = newId('run');
  const now = systemClock.now();
  return {
    runId, attempt: 1, attemptId: attemptIdFor(runId, 1),
    lease: { leaseId: newId('lease'), credentialRefId: 'cred', connectionId: 'conn', subject: 's', scopes: [], payload: { access_token: 'bench-token-123456' }, issuedAt: isoAt(now), expiresAt: isoAt(now + 300_000) },
    credentialRef: { id: 'cred', subject: 's', scopes: [], authType: 'api_token', connectionId: 'conn', installId: null, connectorId: 'bench', tenantId: 't' },
    connectionId: 'conn', tenantId: 't', actorId: 'a', traceId: null, idempotencyKey: null,
    executionPolicy: { runtimeClass: 'session', sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: [] } },
    target: null, signal: new AbortController().signal, timeoutMs: 30_000, logger: silentLogger, clock: systemClock, extensions: {},
  };
}

async function measure(n: number, reuse: boolean, cap: Capability): Promise<number> {
  const runtime = createSessionRuntime();
  const started = performance.now();
  for (let i = 0; i < n; i += 1) {
    const result = await runtime.execute(cap, { prompt: `p${i}` }, context());
    if (result.status !== 'completed') throw new Error(`bench turn failed: ${result.error.message}`);
    if (!reuse && result.runtimeRefId) await runtime.evict(result.runtimeRefId);
  }
  const elapsed = performance.now() - started;
  await runtime.close();
  return elapsed;
}

const inProcess = capability({ driver: 'in-process', provider: 'local_echo' });
const subprocess = capability({
  driver: 'subprocess',
  provider: 'jsonl',
  options: { command: process.execPath, args: [fileURLToPath(new URL('../test/fixtures/fake-jsonl.mjs', import.meta.url))] },
});

const rows: Array<{ scenario: string; n: number; baselineMs: number; reusedMs: number }> = [];
for (const [scenario, cap, n] of [
  ['in-process (local_echo)', inProcess, 2_000],
  ['subprocess (jsonl CLI)', subprocess, 20],
] as const) {
  await measure(Math.min(n, 5), true, cap); // warm-up
  const baselineMs = await measure(n, false, cap);
  const reusedMs = await measure(n, true, cap);
  rows.push({ scenario, n, baselineMs, reusedMs });
}

const fmt = (ms: number) => ms.toFixed(3).padStart(10);
console.log(`${'scenario'.padEnd(26)} ${'turns'.padStart(6)} ${'fresh ms/turn'.padStart(14)} ${'reused ms/turn'.padStart(15)} ${'speedup'.padStart(8)}`);
for (const row of rows) {
  const fresh = row.baselineMs / row.n;
  const reused = row.reusedMs / row.n;
  console.log(`${row.scenario.padEnd(26)} ${String(row.n).padStart(6)} ${fmt(fresh).padStart(14)} ${fmt(reused).padStart(15)} ${`${(fresh / reused).toFixed(2)}x`.padStart(8)}`);
}
console.log('baseline = a fresh session (and, for subprocess, a fresh boundary workdir) per invoke, measured in the same run');
