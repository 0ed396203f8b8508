import { describe, expect, it } from 'vitest';
import { ManualClock, attemptIdFor, isoAt, newId, silentLogger, type RuntimeContext } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createStreamRuntime } from '@integration/stream-runtime';
import { marketData } from '../src';

const CANARY = 'conformance-canary-secret-43';

describe('market_data conformance fixtures on the real stream runtime', () => {
  it('every stream fixture passes twice (fresh runtime and stores) with identical results and no canary leak', async () => {
    const connector = marketData();
    const streamFixtures = connector.conformance!.fixtures.filter((f) => connector.capabilities.find((c) => c.id === f.capabilityId)!.runtimeClass === 'stream');
    expect(streamFixtures.length).toBeGreaterThan(0);
    for (const fixture of streamFixtures) {
      const capability = connector.capabilities.find((c) => c.id === fixture.capabilityId)!;
      const outputs: unknown[] = [];
      for (let i = 0; i < 2; i += 1) {
        const runtime = createStreamRuntime({ stores: memoryStores() });
        const clock = new ManualClock();
        const runId = newId('run');
        const context: RuntimeContext = {
          runId, attempt: 1, attemptId: attemptIdFor(runId, 1),
          lease: { leaseId: newId('lease'), credentialRefId: 'cred_c', connectionId: 'conn_c', subject: 'x', scopes: [], payload: { ...fixture.lease?.payload, canary: CANARY }, issuedAt: isoAt(clock.now()), expiresAt: isoAt(clock.now() + 300_000) },
          credentialRef: { id: 'cred_c', subject: 'x', scopes: [], authType: 'api_token', connectionId: 'conn_c', installId: null, connectorId: connector.id, tenantId: 't' },
          connectionId: 'conn_c', tenantId: 't', actorId: 'a', traceId: null, idempotencyKey: null,
          executionPolicy: { runtimeClass: 'stream', sandbox: capability.policy.sandbox },
          target: null, signal: new AbortController().signal, timeoutMs: 30_000, logger: silentLogger, clock, extensions: {},
        };
        const result = await runtime.execute(capability, capability.inputSchema.parse(fixture.input), context);
        await runtime.close();
        expect(result.status).toBe('completed');
        if (result.status !== 'completed') return;
        capability.outputSchema!.parse(result.output);
        expect(result.events.map((e) => e.type)).toEqual(fixture.expect!.eventTypes);
        expect(result.artifacts.map((a) => a.artifactType)).toEqual(fixture.expect!.artifactTypes);
        expect(JSON.stringify(result)).not.toContain(CANARY);
        outputs.push(result.output);
      }
      expect(outputs[1]).toEqual(outputs[0]);
    }
  });
});
