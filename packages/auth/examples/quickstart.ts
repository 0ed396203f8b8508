// Run: npx tsx --conditions=source packages/auth/examples/quickstart.ts (from the repo root)
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineConnector, defineOperation } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createAuthService } from '@integration/auth';

const tickets = defineConnector({
  id: 'tickets',
  auth: { type: 'api_token', requestedScopes: ['tickets:read'], secretNames: ['webhook_secret'] },
  catalog: { displayName: 'Tickets' },
  operations: [
    defineOperation({
      id: 'tickets.ticket.fetch',
      description: 'Fetch one ticket',
      input: z.object({ id: z.string() }),
      output: z.object({ title: z.string() }),
      scopes: ['tickets:read'],
      handler: async ({ id }, ctx) => ({ title: `ticket ${id} via ${ctx.lease.payload.access_token ? 'token' : 'nothing'}` }),
      consumerSurface: { mode: 'connector_local', reason: 'example' },
    }),
  ],
});

const auth = createAuthService({
  stores: memoryStores(),
  connectors: [tickets],
  secrets: { keys: { k1: randomBytes(32).toString('base64') }, activeKeyId: 'k1' },
  environment: 'production',
});

// 1. Start an install: keep installId + callbackToken in the user's session.
const { install, callbackToken } = await auth.startInstall('tickets', 'acme', { subject: 'acme-bot', actorId: 'alice' });
// 2. Complete it with the API token the user pasted.
const { connection } = await auth.completeInstall(install.installId, {
  callbackToken,
  subject: 'acme-bot',
  secret: { access_token: 'tk_live_example', webhook_secret: 'whsec_example' },
});
// 3. Short-lived lease: lease fields only (no webhook secret), scopes checked.
const lease = await auth.requestLease(connection.connectionId, { requiredScopes: ['tickets:read'], actorId: 'alice' });
console.log('lease payload keys:', Object.keys(lease.payload), 'expires', lease.expiresAt);
// 4. Rotate: same credential id, new version; the old lease id is now refused.
await auth.rotateConnection(connection.connectionId, { secret: { access_token: 'tk_live_rotated', webhook_secret: 'whsec_example' } });
await auth.fetchLease(lease.leaseId).catch((error: { code: string }) => console.log('old lease:', error.code));
// 5. Revoke: secret wiped, leases revoked, new leases refused.
await auth.revokeConnection(connection.connectionId, { reason: 'offboarding', actorId: 'alice' });
await auth.requestLease(connection.connectionId).catch((error: { code: string }) => console.log('after revoke:', error.code));
