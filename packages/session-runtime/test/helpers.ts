import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ManualClock,
  defineConnector,
  defineOperation,
  type Capability,
  type RuntimeContext,
  type RuntimeRouting,
  type SandboxInput,
} from '@integration/contracts';
import { runtimeContextFor } from '@integration/contracts/testing';

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const CANARY = 'sk-canary-9f8e7d6c5b4a3210';

export function sessionCapability(runtime: RuntimeRouting, extra: { id?: string; timeoutMs?: number; runtimeClass?: 'session' | 'stream' } = {}): Capability {
  const op = defineOperation({
    id: extra.id ?? 'demo.session.turn',
    description: 'a test session operation',
    runtimeClass: extra.runtimeClass ?? 'session',
    input: z.object({ prompt: z.string() }).passthrough(),
    output: z.object({}).passthrough(),
    schemaPolicy: { output: 'passthrough', justification: 'tests inspect the raw driver output' },
    runtime,
    consumerSurface: { mode: 'connector_local', reason: 'test' },
    timeoutMs: extra.timeoutMs ?? 10_000,
  });
  const connector = defineConnector({
    id: 'demo',
    auth: { type: 'api_token', requestedScopes: [], leaseFields: ['access_token'] },
    catalog: { displayName: 'Demo' },
    operations: [op],
  });
  return connector.capabilities[0]!;
}

export interface ContextOptions {
  connectionId?: string;
  token?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  clock?: ManualClock;
  sandbox?: SandboxInput;
  runId?: string;
  attempt?: number;
  tenantId?: string;
}

export function contextFor(options: ContextOptions = {}): RuntimeContext {
  return runtimeContextFor(
    {
      runtimeClass: 'session',
      connectorId: 'demo',
      credentialRefId: 'cred_test',
      subject: 'tester',
      scopes: ['session:execute'],
      sandbox: { level: 'strict', egress: 'restricted', approvals: 'manual', fileScope: '/workspaces/demo', allowedTools: [], ...options.sandbox },
    },
    { ...options, connectionId: options.connectionId ?? 'conn_test', token: options.token ?? CANARY },
  );
}

/** True while a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export async function waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const types = (events: { type: string }[]) => events.map((e) => e.type);
