import { z } from 'zod';
import { ConnectorError, ManualClock, defineConnector, defineOperation, silentLogger } from '@integration/contracts';
import { createDirectRuntime, memoryPayloadStore } from '@integration/direct-runtime';

const connector = defineConnector({
  id: 'demo',
  auth: { type: 'api_token', requestedScopes: [], leaseFields: ['access_token'] },
  catalog: { displayName: 'Demo' },
  operations: [
    defineOperation({
      id: 'demo.echo',
      description: 'Echo a message',
      input: z.object({ message: z.string() }),
      output: z.object({ echoed: z.string() }),
      consumerSurface: { mode: 'connector_local', reason: 'example' },
      handler: async (input, ctx) => {
        if (input.message === 'slow') throw new ConnectorError({ class: 'rate_limited', message: 'later', retryAfterMs: 1000 });
        ctx.emit({ type: 'connector.demo.echoed', payload: { length: input.message.length } });
        await ctx.artifact({ type: 'tool_output', slug: 'echo', content: { message: input.message, auth: ctx.lease.payload.access_token } });
        return { echoed: input.message };
      },
    }),
  ],
});

const payloads = memoryPayloadStore('review');
const runtime = createDirectRuntime({ artifactPayloads: payloads });
const result = await runtime.execute(connector.capabilities[0]!, { message: 'hi' }, {
  runId: 'run_1', attempt: 1, attemptId: 'run_1:1',
  lease: { leaseId: 'lease_1', credentialRefId: 'cred_1', connectionId: null, subject: 'me', scopes: [],
           payload: { access_token: 'tok_very_secret' }, issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:05:00Z' },
  credentialRef: { id: 'cred_1', subject: 'me', scopes: [], authType: 'api_token', connectionId: null, installId: null, connectorId: 'demo', tenantId: null },
  connectionId: null, tenantId: null, actorId: null, traceId: null, idempotencyKey: null,
  executionPolicy: { runtimeClass: 'direct', sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: [] } },
  target: null, signal: new AbortController().signal, timeoutMs: 5_000,
  logger: silentLogger, clock: new ManualClock(), extensions: {},
});
console.log(result.status, result.events.map((e) => e.type));
// completed [ 'attempt.started', 'connector.demo.echoed', 'attempt.completed' ]
console.log(result.artifacts[0]?.payloadRef.key, result.artifacts[0]?.redactionStatus);
// demo/run_1/run_1:1/echo redacted   (the stored JSON holds "[REDACTED]" instead of the token)
