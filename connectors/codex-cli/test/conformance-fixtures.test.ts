import { describe, expect, it } from 'vitest';
import { ManualClock, attemptIdFor, isoAt, newId, silentLogger, type RuntimeContext } from '@integration/contracts';
import { createSessionRuntime, memoryArtifactPayloads } from '@integration/session-runtime';
import { codexCli } from '../src';

const CANARY = 'conformance-canary-secret-42';

/** What the conformance engine does for session fixtures: a fresh runtime per run, twice. */
describe('codex_cli conformance fixtures on the real session runtime', () => {
  it('every fixture passes twice with identical results and no canary leak', async () => {
    const def = codexCli();
    const env = await def.conformance!.setup!();
    const connector = env.connector!;
    for (const fixture of def.conformance!.fixtures) {
      const capability = connector.capabilities.find((c) => c.id === fixture.capabilityId)!;
      const runs = [];
      for (let i = 0; i < 2; i += 1) {
        const payloads = memoryArtifactPayloads();
        const runtime = createSessionRuntime({ artifactPayloads: payloads });
        const clock = new ManualClock();
        const runId = newId('run');
        const context: RuntimeContext = {
          runId, attempt: 1, attemptId: attemptIdFor(runId, 1),
          lease: { leaseId: newId('lease'), credentialRefId: 'cred_c', connectionId: 'conn_c', subject: fixture.lease?.subject ?? 'x', scopes: fixture.lease?.scopes ?? [], payload: { ...fixture.lease?.payload, canary: CANARY }, issuedAt: isoAt(clock.now()), expiresAt: isoAt(clock.now() + 300_000) },
          credentialRef: { id: 'cred_c', subject: 'x', scopes: [], authType: 'api_token', connectionId: 'conn_c', installId: null, connectorId: connector.id, tenantId: 't' },
          connectionId: 'conn_c', tenantId: 't', actorId: 'a', traceId: null, idempotencyKey: null,
          executionPolicy: { runtimeClass: 'session', sandbox: capability.policy.sandbox },
          target: null, signal: new AbortController().signal, timeoutMs: 30_000, logger: silentLogger, clock, extensions: {},
        };
        const result = await runtime.execute(capability, capability.inputSchema.parse(fixture.input), context);
        await runtime.close();
        expect(result.status).toBe('completed');
        if (result.status !== 'completed') return;
        capability.outputSchema!.parse(result.output);
        expect(result.events.map((e) => e.type)).toEqual(fixture.expect!.eventTypes);
        expect(result.artifacts.map((a) => a.artifactType)).toEqual(fixture.expect!.artifactTypes);
        const blobs = await Promise.all(payloads.keys().map(async (k) => new TextDecoder().decode((await payloads.get(k))!)));
        expect(JSON.stringify([result, blobs])).not.toContain(CANARY);
        expect(JSON.stringify([result, blobs])).not.toContain(fixture.lease!.payload!.access_token!);
        const { sessionId: _s, ...stable } = result.output as Record<string, unknown>;
        runs.push({ output: stable, events: result.events.map((e) => e.type) });
      }
      expect(runs[1]).toEqual(runs[0]);
    }
    await env.teardown?.();
  });
});
