import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Capability, type RuntimeContext } from '@integration/contracts';
import { runConformance } from '@integration/conformance';
import { createDirectRuntime } from '@integration/direct-runtime';
import { notesConnector } from '../src';

function context(runId: string, payload: Record<string, string> = {}): RuntimeContext {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    runId,
    attempt: 1,
    attemptId: `${runId}:1`,
    lease: { leaseId: 'lease_t', credentialRefId: 'cred_t', connectionId: null, subject: 'tester', scopes: [], payload, issuedAt: now, expiresAt: now },
    credentialRef: { id: 'cred_t', subject: 'tester', scopes: [], authType: 'none', connectionId: null, installId: null, connectorId: 'notes', tenantId: null },
    connectionId: null,
    tenantId: null,
    actorId: null,
    traceId: null,
    idempotencyKey: null,
    executionPolicy: { runtimeClass: 'direct', sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: [] } },
    target: null,
    signal: new AbortController().signal,
    timeoutMs: 5_000,
    logger: silentLogger,
    clock: new ManualClock(),
    extensions: {},
  };
}

describe('notes connector', () => {
  it('passes every conformance suite', async () => {
    const report = await runConformance(notesConnector({ directory: await mkdtemp(join(tmpdir(), 'notes-')) }));
    expect(report.status).toBe('passed');
  });

  it('appends to, reads and publishes real files', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'notes-'));
    const connector = notesConnector({ directory });
    const runtime = createDirectRuntime();
    const cap = (id: string) => connector.capabilities.find((c) => c.id === id) as Capability;
    const appended = await runtime.execute(cap('notes.note.append'), { name: 'todo', line: 'first\nline' }, context('run_a'));
    expect(appended).toMatchObject({ status: 'completed', output: { name: 'todo', lines: 1 } });
    expect(await readFile(join(directory, 'todo.md'), 'utf8')).toBe('first line\n');
    const read = await runtime.execute(cap('notes.note.read'), { name: 'todo' }, context('run_b'));
    expect(read).toMatchObject({ status: 'completed', output: { lines: ['first line'] } });
    const missing = await runtime.execute(cap('notes.note.read'), { name: 'nope' }, context('run_c'));
    expect(missing).toMatchObject({ status: 'failed', error: { code: 'connector_invalid_request' } });
    const unsigned = await runtime.execute(cap('notes.note.publish'), { name: 'todo' }, context('run_d'));
    expect(unsigned).toMatchObject({ status: 'failed', error: { code: 'connector_auth_failed' } });
    const published = await runtime.execute(cap('notes.note.publish'), { name: 'todo' }, context('run_e', { api_token: 'token-abcdef123' }));
    expect(published).toMatchObject({ status: 'completed', output: { publishedBy: 'tester' } });
    expect(await readFile(join(directory, 'todo.published'), 'utf8')).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });
});
